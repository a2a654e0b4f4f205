using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Portal.Core.Audit;

/// <summary>
/// The front of the authentication log: a bounded in-memory queue. <see cref="TryAppend"/> never
/// blocks; when the writer falls behind and the queue is full, the record is dropped and counted.
/// </summary>
public sealed class AuthenticationLog
{
    public const string MeterName = "Portal.Authentication";

    private readonly Channel<AuthenticationLogEntry> _channel;
    private readonly Counter<long> _droppedMetric;
    private long _dropped;

    public AuthenticationLog(IOptions<AuthenticationLogOptions> options, IMeterFactory meters)
    {
        _channel = Channel.CreateBounded<AuthenticationLogEntry>(new BoundedChannelOptions(options.Value.BufferCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        var meter = meters.Create(MeterName);
        _droppedMetric = meter.CreateCounter<long>("portal.authentication_log.dropped", description: "Authentication log records dropped because the writer fell behind.");
        meter.CreateObservableGauge("portal.authentication_log.queued", () => (long)_channel.Reader.Count);
    }

    /// <summary>Records dropped since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal ChannelReader<AuthenticationLogEntry> Reader => _channel.Reader;

    public bool TryAppend(in AuthenticationLogEntry entry)
    {
        // With FullMode.Wait, TryWrite returns false when full instead of evicting: the caller never waits.
        if (_channel.Writer.TryWrite(entry))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        _droppedMetric.Add(1);
        return false;
    }

    internal void Complete() => _channel.Writer.TryComplete();
}
