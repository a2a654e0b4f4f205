using Portal.Core.Keys;

namespace Portal.Benchmarks.Validation;

/// <summary>
/// Fills the snapshot cache with <c>count</c> distinct keys (realistic names, three shared scope
/// sets) and prints the managed heap it holds beside the cache's own estimate of its bytes
/// (<c>Validation:MaxCacheBytes</c> bounds the estimate).
/// Run: dotnet run -c Release --project Portal.Benchmarks -- memory 1000000
/// </summary>
internal static class SnapshotCacheMemory
{
    public static void Run(int count)
    {
        string[][] scopeSets = [["orders:read"], ["orders:read", "orders:write"], ["invoices:read", "keys:verify", "orders:*"]];
        var fixture = new ValidationFixture(maxCachedKeys: count);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var now = DateTimeOffset.UtcNow.UtcTicks;
        for (var i = 0; i < count; i++)
        {
            var token = ApiKeyToken.Generate("pk_live");
            fixture.Cache.SetKnown(fixture.HashOf(token), fixture.Snapshot($"service key {i}", scopeSets[i % scopeSets.Length]), now);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(fixture);
        var megabytes = (after - before) / 1024.0 / 1024.0;
        Console.WriteLine($"{fixture.Cache.KnownCount:N0} cached key snapshots: {megabytes:N1} MB of managed heap ({(after - before) / (double)count:N0} bytes each)");
        Console.WriteLine($"the cache's estimate: {fixture.Cache.EstimatedBytes / 1024.0 / 1024.0:N1} MB ({fixture.Cache.EstimatedBytes / (double)Math.Max(1, fixture.Cache.KnownCount):N0} bytes each)");
    }
}
