using BenchmarkDotNet.Attributes;
using Portal.Core.Apis;

namespace Portal.Benchmarks.Access;

/// <summary>
/// The canonical request target of one request: an already-canonical path (the common case, no
/// allocation), the same with a query string (the thread's last answer reused), and a path whose
/// escapes must be rewritten.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*RequestTargetBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class RequestTargetBenchmarks
{
    // Built at run time, as a header value is: a new string per request, not an interned literal.
    private readonly string _canonical = string.Concat("/orders/", "4711/items/", "17");
    private readonly string _withQuery = string.Concat("/orders/4711/items/17", "?expand=lines&page=2");
    private readonly string _escaped = string.Concat("/%6Frders/4711/", "caf%c3%a9");

    [Benchmark(Baseline = true)]
    public string? Canonical() => RequestTarget.CanonicalPath(_canonical);

    [Benchmark]
    public string? CanonicalWithQuery() => RequestTarget.CanonicalPath(_withQuery);

    [Benchmark]
    public string? Rewritten() => RequestTarget.CanonicalPath(_escaped);

    [Benchmark]
    public string? Method() => RequestTarget.CanonicalMethod("DELETE");
}
