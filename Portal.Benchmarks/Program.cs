using BenchmarkDotNet.Running;
using Portal.Benchmarks.Validation;

// `-- memory` measures the managed heap of a full snapshot cache; anything else goes to BenchmarkDotNet.
if (args is ["memory", ..])
{
    SnapshotCacheMemory.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
