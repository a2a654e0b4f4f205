using BenchmarkDotNet.Running;
using Portal.Benchmarks.Audit;
using Portal.Benchmarks.Http;
using Portal.Benchmarks.Validation;

// `-- log-writer` measures the authentication log writer's CPU per record.
if (args is ["log-writer", ..])
{
    await AuthenticationLogWriterThroughput.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100);
    return;
}

// `bare-kestrel --urls http://127.0.0.1:PORT` serves 200 with an empty body to any request: the HTTP benchmark's floor.
if (args is ["bare-kestrel", ..])
{
    await BareKestrel.RunAsync(args[1..]);
    return;
}

// `-- memory` measures the managed heap of a full snapshot cache; anything else goes to BenchmarkDotNet.
if (args is ["memory", ..])
{
    SnapshotCacheMemory.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
