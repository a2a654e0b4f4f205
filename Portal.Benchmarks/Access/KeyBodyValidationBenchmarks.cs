using BenchmarkDotNet.Attributes;
using Portal.Core.Access;
using Portal.Core.Organizations;

namespace Portal.Benchmarks.Access;

/// <summary>
/// Validating what a key body gives (scopes, grants with resources and schedules, the key's own
/// schedule) as the key catalog does before it touches the database: a one-element body, the
/// largest body the list maxima allow, and a window listing "mon" 170,000 times (refused at its
/// count, before any day is read). Every list is bounded, so the largest body costs a constant
/// multiple of the smallest and the oversized one costs less than either.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*KeyBodyValidationBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class KeyBodyValidationBenchmarks
{
    private static readonly string[] Week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    private Body _one = null!;
    private Body _largest = null!;
    private Body _mondays = null!;

    [GlobalSetup]
    public void Setup()
    {
        _one = new(
            ["orders:read"],
            [new Grant("invoices:read", ["invoice/eu-*"], new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon"], "09:00", "17:00")]))],
            new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon"], "09:00", "17:00")]));

        // Every list at its maximum, every string at its longest.
        var schedule = new AccessSchedule(
            new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2999, 1, 1, 0, 0, 0, TimeSpan.Zero),
            "America/Argentina/Buenos_Aires",
            [.. Enumerable.Range(0, AccessSchedule.MaxWindows).Select(w => new WeeklyWindow(Week, $"{w:00}:00", $"{w:00}:30"))]);
        _largest = new(
            [.. Enumerable.Range(0, Scope.MaxPerKey).Select(i => Padded($"s{i}:", Scope.MaxLength))],
            [.. Enumerable.Range(0, Scope.MaxPerKey).Select(i => new Grant(
                Padded($"g{i}:", Scope.MaxLength),
                [.. Enumerable.Range(0, Grant.MaxResources).Select(r => Padded($"asset/{i}-{r}-", ResourcePattern.MaxLength))],
                schedule))],
            schedule);

        _mondays = new(
            ["orders:read"],
            [],
            new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow([.. Enumerable.Repeat("mon", 170_000)], "09:00", "17:00")]));

        // The cases must decide as described, or the figures mean nothing.
        if (Validate(_one) != 0 || Validate(_largest) != 0 || Validate(_mondays) != 1)
        {
            throw new InvalidOperationException("A benchmark body is not validated as described.");
        }
    }

    [Benchmark(Baseline = true)]
    public int OneElement() => Validate(_one);

    [Benchmark]
    public int Largest() => Validate(_largest);

    [Benchmark]
    public int Monday170000Times() => Validate(_mondays);

    private static int Validate(Body body)
    {
        var errors = new Dictionary<string, string[]>();
        GrantCheck.Check([], OrganizationRole.Admin, body.Scopes, body.Grants, errors);
        CompiledSchedule.Validate(body.Schedule, "schedule", errors);
        return errors.Count;
    }

    private static string Padded(string start, int length) => start + new string('x', length - start.Length);

    private sealed record Body(IReadOnlyList<string> Scopes, IReadOnlyList<Grant> Grants, AccessSchedule Schedule);
}
