using Microsoft.Extensions.Options;
using Portal.Core.Access;
using Portal.Core.Validation;

namespace Portal.Tests.Infrastructure;

/// <summary>Endpoint rules held in memory, the same for every organization, with a count of reads.</summary>
internal sealed class FixedEndpointRules(EndpointRuleMatcher? matcher = null) : IEndpointRuleSource
{
    private int _loads;

    public EndpointRuleMatcher Matcher { get; set; } = matcher ?? EndpointRuleMatcher.Empty;

    public int Loads => Volatile.Read(ref _loads);

    public Task<EndpointRuleMatcher> LoadAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        return Task.FromResult(Matcher);
    }

    public static EndpointRuleCache Cache(TimeProvider time, EndpointRuleMatcher? matcher = null) =>
        new(new FixedEndpointRules(matcher), Options.Create(new ValidationOptions()), time);
}
