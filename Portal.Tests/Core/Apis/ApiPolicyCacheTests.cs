using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Validation;

namespace Portal.Tests.Core.Apis;

/// <summary>The gateway door's API cache: one read at a time, and never an answer read before an edit.</summary>
public sealed class ApiPolicyCacheTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task Invalidate_WhileAReadIsUnderWay_LaterRequestsReadAgain()
    {
        var source = new GatedSource();
        var cache = new ApiPolicyCache(source, Options.Create(new ValidationOptions()), _clock);
        var id = Guid.NewGuid();

        var before = cache.GetAsync(id, CancellationToken.None).AsTask();
        cache.Invalidate(id);
        var after = cache.GetAsync(id, CancellationToken.None).AsTask();
        source.Release(0, Policy(id, allowUnmatched: false));
        source.Release(1, Policy(id, allowUnmatched: true));

        Assert.False((await before)!.Rules.AllowUnmatched);
        Assert.True((await after)!.Rules.AllowUnmatched);
        Assert.Equal(2, source.Reads);
        Assert.True(cache.TryGet(id, out var cached));
        Assert.True(cached!.Rules.AllowUnmatched);
    }

    [Fact]
    public async Task ConcurrentRequests_ShareOneRead()
    {
        var source = new GatedSource();
        var cache = new ApiPolicyCache(source, Options.Create(new ValidationOptions()), _clock);
        var id = Guid.NewGuid();

        var first = cache.GetAsync(id, CancellationToken.None).AsTask();
        var second = cache.GetAsync(id, CancellationToken.None).AsTask();
        source.Release(0, Policy(id, allowUnmatched: false));

        Assert.Same(await first, await second);
        Assert.Equal(1, source.Reads);
    }

    [Fact]
    public async Task UnknownApi_IsRememberedAsUnknown()
    {
        var source = new GatedSource();
        var cache = new ApiPolicyCache(source, Options.Create(new ValidationOptions()), _clock);
        var id = Guid.NewGuid();

        var read = cache.GetAsync(id, CancellationToken.None).AsTask();
        source.Release(0, null);

        Assert.Null(await read);
        Assert.True(cache.TryGet(id, out var cached));
        Assert.Null(cached);
        Assert.Equal(1, source.Reads);
    }

    private static ApiPolicy Policy(Guid id, bool allowUnmatched) =>
        new(id, Guid.NewGuid(), ApiEnvironments.Both, new EndpointRuleMatcher([], allowUnmatched));

    private sealed class GatedSource : IApiPolicySource
    {
        private readonly List<TaskCompletionSource<ApiPolicy?>> _reads = [];

        public int Reads
        {
            get
            {
                lock (_reads)
                {
                    return _reads.Count;
                }
            }
        }

        public Task<ApiPolicy?> LoadAsync(Guid apiId, CancellationToken cancellationToken)
        {
            var read = new TaskCompletionSource<ApiPolicy?>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_reads)
            {
                _reads.Add(read);
            }

            return read.Task;
        }

        public void Release(int index, ApiPolicy? policy)
        {
            lock (_reads)
            {
                _reads[index].SetResult(policy);
            }
        }
    }
}
