using BenchmarkDotNet.Attributes;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Core.Validation;

namespace Portal.Benchmarks.Access;

/// <summary>
/// Deciding one request for a key with 50 grants against an API with 200 endpoint rules:
/// the rule lookup for the original method and path, then the grants.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*AccessEvaluationBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AccessEvaluationBenchmarks
{
    private const int Resources = 40;

    private static readonly DateTimeOffset Now = new(2026, 6, 3, 10, 0, 0, TimeSpan.Zero);

    private KeySnapshot _key = null!;
    private ApiPolicy _api = null!;
    private RequestContext _lastGrant;
    private RequestContext _filtered;
    private RequestContext _denied;

    [GlobalSetup]
    public void Setup()
    {
        // 200 rules: five templates on each of 40 resources, literal, parameter and catch-all.
        var rules = new List<CompiledRule>();
        for (var r = 0; r < Resources; r++)
        {
            var name = $"resource{r:00}";
            rules.Add(new(Guid.NewGuid(), "GET", $"/{name}", $"{name}:read"));
            rules.Add(new(Guid.NewGuid(), "GET", $"/{name}/{{id}}", $"{name}:read"));
            rules.Add(new(Guid.NewGuid(), "*", $"/{name}/{{id}}", $"{name}:write"));
            rules.Add(new(Guid.NewGuid(), "POST", $"/{name}/{{id}}/approve", $"{name}:approve"));
            rules.Add(new(Guid.NewGuid(), "GET", $"/{name}/{{id}}/files/{{**path}}", $"{name}:read"));
        }


        // 50 grants: 47 plain ones on other resources, then a filtered one, a scheduled one and the one that allows.
        var weekdays = new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri"], "08:00", "18:00")]);
        var grants = Enumerable.Range(0, 47).Select(i => new Grant($"other{i:00}:write")).ToList();
        grants.Add(new Grant("resource39:read", ["asset/eu-*", "asset/ch-*"]));
        grants.Add(new Grant("resource38:write", Schedule: weekdays));
        grants.Add(new Grant("resource37:write"));
        _key = new KeySnapshot
        {
            KeyId = Guid.NewGuid(),
            OrganizationId = Guid.NewGuid(),
            OwnerId = Guid.NewGuid(),
            Name = "fifty grants",
            Environment = KeyEnvironment.Live,
            Status = KeyStatus.Active,
            ExpiresAt = null,
            TokenRetiresAt = null,
            Access = new AccessCompiler().Compile([], grants, null, []),
        };
        _api = new ApiPolicy(Guid.NewGuid(), _key.OrganizationId, ApiEnvironments.Live, new EndpointRuleMatcher(rules, allowUnmatched: false));

        _lastGrant = new RequestContext(Method: "GET", Path: "/resource37/4711/files/a/b.pdf", UseEndpointRules: true, Api: _api);
        _filtered = new RequestContext(Method: "GET", Path: "/resource39/4711", Resource: "asset/ch-17", UseEndpointRules: true, Api: _api);
        _denied = new RequestContext(Method: "DELETE", Path: "/resource20/4711", UseEndpointRules: true, Api: _api);
        Require(Decide(_lastGrant) == ReasonCodes.Valid);
        Require(Decide(_filtered) == ReasonCodes.Valid);
        Require(Decide(_denied) == ReasonCodes.InsufficientScope);
    }

    [Benchmark(Description = "rule + last of 50 grants allows")]
    public string RuleThenLastGrant() => Decide(_lastGrant);

    [Benchmark(Description = "rule + resource filter allows")]
    public string RuleThenFilteredGrant() => Decide(_filtered);

    [Benchmark(Description = "rule + no grant covers (deny)")]
    public string RuleThenDenied() => Decide(_denied);

    private string Decide(in RequestContext request) => KeyValidator.Decide(_key, request, Now).Code;

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark's setup does not decide as expected.");
        }
    }
}
