using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Protections;

/// <summary>
/// The country database (<c>Geo:DatabasePath</c>), held in memory as sorted range tables (see
/// <see cref="CountryTable"/>): <see cref="Find"/> is a binary search on an immutable table read
/// through a volatile field, with no lock and no allocation. While the host runs, the file is
/// watched (directory events, debounced by a second, and a look at its size and time every
/// <see cref="CheckInterval"/> for file systems without events); a changed file, also one renamed
/// over the old, is read into a new table that replaces the old in one write. A missing or damaged
/// new file keeps the last good table, logs a warning naming the setting and shows in
/// <see cref="LastError"/>. With no path set, <see cref="IsAvailable"/> is false and country rules
/// fail closed (<c>GEO_UNAVAILABLE</c>).
/// </summary>
public sealed partial class CountryDatabase : ICountryLookup, IHostedService, IDisposable
{
    /// <summary>How often the file's size and last-write time are compared, besides the directory events.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long after the last directory event the file is read, so a copy in progress is read once, whole.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly ILogger<CountryDatabase> _logger;
    private readonly Lock _reloadLock = new();
    private volatile Loaded? _current;
    private volatile string? _lastError;
    private FileSignature _signature;
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;
    private ITimer? _check;
    private bool _disposed;

    /// <summary>Reads the database at <paramref name="path"/>; none when <paramref name="path"/> is null or empty.</summary>
    /// <param name="path">An absolute path to a .mmdb file (see <see cref="GeoOptions.ResolvePath"/>), or null.</param>
    /// <exception cref="OptionsValidationException">The file is missing or no MaxMind-format country database; the message names <c>Geo:DatabasePath</c>.</exception>
    public CountryDatabase(string? path, TimeProvider time, ILogger<CountryDatabase> logger)
        : this(path, time, logger, preloaded: null)
    {
    }

    /// <summary>As the public constructor, with the table of <paramref name="path"/> when the options validator has just read it.</summary>
    internal CountryDatabase(string? path, TimeProvider time, ILogger<CountryDatabase> logger, CountryTable? preloaded)
    {
        _time = time;
        _logger = logger;
        Path = string.IsNullOrWhiteSpace(path) ? null : path;
        if (Path is null)
        {
            return;
        }

        var signature = FileSignature.Of(Path);
        try
        {
            _current = new Loaded(preloaded ?? CountryTable.Load(Path), time.GetUtcNow());
            _signature = signature;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new OptionsValidationException(GeoOptions.Section, typeof(GeoOptions), [$"{GeoOptions.DatabasePathSetting}: {e.Message}"]);
        }
    }

    /// <summary>The database file's absolute path; null when none is configured.</summary>
    public string? Path { get; }

    /// <inheritdoc/>
    public bool IsAvailable => _current is not null;

    /// <summary>When the table in use was read (UTC); null when none is loaded.</summary>
    public DateTimeOffset? LoadedAt => _current?.At;

    /// <summary>When the file in use says it was built (its <c>build_epoch</c>, UTC); null when none is loaded.</summary>
    public DateTimeOffset? BuiltAt => _current?.Table.BuiltAt;

    /// <summary>The file's <c>database_type</c> metadata; null when none is loaded.</summary>
    public string? DatabaseType => _current?.Table.DatabaseType;

    /// <summary>IPv4 ranges in the table in use, adjacent networks of one country counted once.</summary>
    public int V4RangeCount => _current?.Table.V4RangeCount ?? 0;

    /// <summary>IPv6 ranges in the table in use, adjacent networks of one country counted once.</summary>
    public int V6RangeCount => _current?.Table.V6RangeCount ?? 0;

    /// <summary>Why the last reload failed (the table in use is then the one before); null once a reload succeeds.</summary>
    public string? LastError => _lastError;

    /// <inheritdoc/>
    public CountryCode Find(in ClientAddress address) => _current is { } loaded ? loaded.Table.Find(address) : CountryCode.None;

    /// <summary>
    /// Reads the file again now and, when it is a good database, puts it in use. Returns false,
    /// keeping the table in use, when it is missing or damaged (see <see cref="LastError"/>), or
    /// when no path is configured.
    /// </summary>
    public bool Reload()
    {
        if (Path is null)
        {
            return false;
        }

        lock (_reloadLock)
        {
            var signature = FileSignature.Of(Path);
            try
            {
                var table = CountryTable.Load(Path);
                _current = new Loaded(table, _time.GetUtcNow());
                _signature = signature;
                _lastError = null;
                LogReloaded(Path, table.V4RangeCount, table.V6RangeCount);
                return true;
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // Remembered so that the periodic check does not retry (and warn) until the file changes again.
                _signature = signature;
                _lastError = e.Message;
                LogReloadFailed(GeoOptions.DatabasePathSetting, e.Message);
                return false;
            }
        }
    }

    /// <summary>Logs what is loaded (or that nothing is) and starts watching the file.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_current is not { } loaded || Path is null)
        {
            LogNoDatabase(GeoOptions.DatabasePathSetting);
            return Task.CompletedTask;
        }

        LogLoaded(Path, loaded.Table.V4RangeCount, loaded.Table.V6RangeCount, loaded.Table.BuiltAt);
        lock (_reloadLock)
        {
            if (_disposed || _check is not null)
            {
                return Task.CompletedTask;
            }

            _debounce = _time.CreateTimer(_ => CheckFile(force: true), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _check = _time.CreateTimer(_ => CheckFile(force: false), null, CheckInterval, CheckInterval);
            _watcher = Watch(Path);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops watching the file; the table in use stays.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        StopWatching();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_reloadLock)
        {
            _disposed = true;
        }

        StopWatching();
    }

    private void StopWatching()
    {
        FileSystemWatcher? watcher;
        ITimer? debounce, check;
        lock (_reloadLock)
        {
            (watcher, debounce, check) = (_watcher, _debounce, _check);
            (_watcher, _debounce, _check) = (null, null, null);
        }

        watcher?.Dispose();
        debounce?.Dispose();
        check?.Dispose();
    }

    private FileSystemWatcher? Watch(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }

        try
        {
            var name = System.IO.Path.GetFileName(path);
            var watcher = new FileSystemWatcher(directory)
            {
                // The whole directory: a file renamed over ours reports under its old name too.
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler changed = (_, e) => { if (Concerns(e.FullPath, name)) { Touched(); } };
            watcher.Changed += changed;
            watcher.Created += changed;
            watcher.Deleted += changed;
            watcher.Renamed += (_, e) => { if (Concerns(e.FullPath, name) || Concerns(e.OldFullPath, name)) { Touched(); } };
            // Lost events (a full inotify queue): the periodic check still sees the change.
            watcher.Error += (_, _) => Touched();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches, for one: the periodic check alone then notices changes.
            LogWatchUnavailable(directory, e.Message);
            return null;
        }

        static bool Concerns(string? fullPath, string name) =>
            string.Equals(System.IO.Path.GetFileName(fullPath), name, StringComparison.Ordinal);
    }

    private void Touched()
    {
        lock (_reloadLock)
        {
            _debounce?.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void CheckFile(bool force)
    {
        if (Path is null)
        {
            return;
        }

        lock (_reloadLock)
        {
            // An event for our file always reads it: a file renamed over it can have the same size
            // and time (files unpacked from one package share a fixed time).
            if (_disposed || (!force && FileSignature.Of(Path) == _signature))
            {
                return;
            }
        }

        Reload();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "No country database: country rules refuse requests with GEO_UNAVAILABLE until {Setting} is set.")]
    private partial void LogNoDatabase(string setting);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Country database {Path}: {V4Ranges} IPv4 and {V6Ranges} IPv6 ranges, built {BuiltAt:u}; watching it for changes.")]
    private partial void LogLoaded(string path, int v4Ranges, int v6Ranges, DateTimeOffset builtAt);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Country database {Path} reloaded: {V4Ranges} IPv4 and {V6Ranges} IPv6 ranges.")]
    private partial void LogReloaded(string path, int v4Ranges, int v6Ranges);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The country database named by {Setting} could not be reloaded; the last good one stays in use. {Error}")]
    private partial void LogReloadFailed(string setting, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Cannot watch {Directory} for country database changes ({Error}); checking the file every few seconds instead.")]
    private partial void LogWatchUnavailable(string directory, string error);

    /// <summary>A table and when it was read.</summary>
    private sealed record Loaded(CountryTable Table, DateTimeOffset At);

    /// <summary>What the periodic check compares: a file replaced or rewritten changes its size or its time.</summary>
    private readonly record struct FileSignature(bool Exists, long Length, DateTime LastWriteUtc)
    {
        public static FileSignature Of(string path)
        {
            var file = new FileInfo(path);
            return file.Exists ? new FileSignature(true, file.Length, file.LastWriteTimeUtc) : default;
        }
    }
}
