using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace Portal.Jobs;

/// <summary>
/// Hangfire's logging goes through one process-wide provider. When several hosts share a process
/// (the integration tests), the provider may belong to a host that was already disposed; Hangfire
/// then gets a silent logger instead of an exception from the disposed logger factory.
/// </summary>
internal sealed class HangfireLogging(ILoggerFactory loggers) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(loggers);

    public ILog GetLogger(string name)
    {
        try
        {
            return _inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Silent.Instance;
        }
    }

    private sealed class Silent : ILog
    {
        public static readonly Silent Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
