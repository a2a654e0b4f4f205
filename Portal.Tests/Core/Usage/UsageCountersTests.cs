using Portal.Core.Usage;

namespace Portal.Tests.Core.Usage;

/// <summary>The in-memory counters: per key, minute and code; drained atomically; restored on failure.</summary>
public sealed class UsageCountersTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 30, TimeSpan.Zero);
    private static readonly Guid Org = Guid.NewGuid();

    [Fact]
    public void Drain_AfterCounts_ReturnsThemPerKeyMinuteAndCodeOnce()
    {
        var counters = new UsageCounters();
        var key = Guid.NewGuid();
        counters.Count(key, Org, "VALID", Noon, "192.0.2.1");
        counters.Count(key, Org, "VALID", Noon.AddSeconds(10), "192.0.2.2");
        counters.Count(key, Org, "INSUFFICIENT_SCOPE", Noon, null);
        counters.Count(key, Org, "VALID", Noon.AddMinutes(1), "192.0.2.3");

        var batch = counters.Drain(Noon.AddMinutes(1).UtcTicks);

        var minute = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).UtcTicks;
        Assert.Equal(2, batch.Counts.Single(c => c.Key.Code == "VALID" && c.Key.MinuteTicks == minute).Count);
        Assert.Equal(1, batch.Counts.Single(c => c.Key.Code == "VALID" && c.Key.MinuteTicks == minute + TimeSpan.TicksPerMinute).Count);
        Assert.Equal(1, batch.Counts.Single(c => c.Key.Code == "INSUFFICIENT_SCOPE").Count);
        Assert.Equal("192.0.2.3", batch.LastUse[key].ClientIp);
        Assert.True(counters.Drain(Noon.AddMinutes(1).UtcTicks).IsEmpty);
    }

    [Fact]
    public void Restore_FailedBatch_IsDrainedAgain()
    {
        var counters = new UsageCounters();
        var key = Guid.NewGuid();
        counters.Count(key, Org, "VALID", Noon, null);
        var failed = counters.Drain(Noon.UtcTicks);
        counters.Count(key, Org, "VALID", Noon, null);

        counters.Restore(failed);

        Assert.Equal(2, counters.Drain(Noon.UtcTicks).Counts.Single().Count);
    }

    [Fact]
    public async Task Drain_WhileCountingOnManyThreadsIntoMinutesBeingRetired_LosesNothing()
    {
        // Every drain retires these minutes (they are older than the previous one) while requests
        // that started in them are still counting: each count must land in some batch. The race
        // is narrow, so the round is repeated.
        for (var round = 0; round < 20; round++)
        {
            var counters = new UsageCounters();
            var key = Guid.NewGuid();
            const int Threads = 4;
            const int PerThread = 20_000;
            long drained = 0;
            using var start = new Barrier(Threads + 1);
            var counting = Enumerable.Range(0, Threads).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    for (var i = 0; i < PerThread; i++)
                    {
                        counters.Count(key, Org, "VALID", Noon.AddSeconds(i % 120), null);
                    }
                },
                TaskCreationOptions.LongRunning)).ToArray();

            start.SignalAndWait();
            while (!counting.All(t => t.IsCompleted))
            {
                drained += counters.Drain(Noon.AddMinutes(5).UtcTicks).Counts.Sum(c => c.Count);
            }

            await Task.WhenAll(counting);
            drained += counters.Drain(Noon.AddMinutes(5).UtcTicks).Counts.Sum(c => c.Count);
            Assert.Equal(Threads * PerThread, drained);
        }
    }
}
