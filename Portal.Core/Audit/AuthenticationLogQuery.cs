using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Exports;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Core.Permissions;

namespace Portal.Core.Audit;

/// <summary>Which authentication log records to show.</summary>
/// <param name="From">The start of the range (inclusive); absent: <see cref="LogQueryOptions.MaxRangeDays"/> days before the end.</param>
/// <param name="To">The end of the range (exclusive); absent: now. At most <see cref="LogQueryOptions.MaxRangeDays"/> days after the start.</param>
/// <param name="Outcome"><c>allowed</c>, <c>denied</c>, or one reason code.</param>
public sealed record AuthenticationLogFilter(
    Guid OrganizationId,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    Guid? KeyId = null,
    string? Outcome = null,
    string? ClientIp = null,
    string? Path = null,
    int Limit = 50,
    string? Cursor = null);

/// <summary>A key the log can be filtered by, as the portal's key picker shows it.</summary>
public sealed record LogKeyChoice(Guid Id, string Name, string Hint);

/// <summary>A page of records, newest first, and the cursor of the next page (null at the end).</summary>
/// <param name="StoppedAtBudget">
/// True when the query read <see cref="LogQueryOptions.PageScanBudget"/> records before filling the
/// page: more records may match further back; narrow the filter (the cursor, when given, goes on from here).
/// </param>
public sealed record AuthenticationLogPage(IReadOnlyList<AuthenticationLogRecord> Items, string? NextCursor, bool StoppedAtBudget = false);

/// <summary>
/// Reads the authentication log for the portal: an organization's admins see all its records,
/// everyone else only the records of their own keys. Newest first, keyset paging, no counts.
/// Every query covers at most <see cref="LogQueryOptions.MaxRangeDays"/> days and stops after
/// reading its budget of records, saying so, rather than reading the whole log for a rare match.
/// </summary>
public sealed class AuthenticationLogQuery(PortalDbContext db, PermissionEvaluator permissions, IOptions<LogQueryOptions> options, TimeProvider time)
{
    public const int MaxPageSize = 200;

    /// <summary>The line an export ends with when it stopped at a budget.</summary>
    public static readonly string ExportStoppedLine = Csv(LogQueryOptions.NarrowTheFilter);

    public async Task<AuthenticationLogPage> ListAsync(Caller caller, AuthenticationLogFilter filter, CancellationToken cancellationToken = default)
    {
        if (filter.Limit is < 1 or > MaxPageSize)
        {
            throw new InvalidRequestException("limit", $"Limit must be between 1 and {MaxPageSize}.");
        }

        var range = options.Value.Range(filter.From, filter.To, time.GetUtcNow());
        KeysetCursor? cursor = filter.Cursor is null ? null : KeysetCursor.Decode(filter.Cursor);
        var page = new List<AuthenticationLogRecord>(filter.Limit + 1);
        var budget = new ScanBudget(options.Value.PageScanBudget);
        try
        {
            await foreach (var record in VisibleAsync(caller, filter, range, cursor, budget, cancellationToken))
            {
                page.Add(record);
                if (page.Count > filter.Limit)
                {
                    break;
                }
            }
        }
        catch (ScanBudget.Spent)
        {
            // The records given out so far are the newest matches, in order: they make a page, and
            // the next page goes on after the last of them.
            await NameKeysAsync(page, cancellationToken);
            return new AuthenticationLogPage(page, page.Count == 0 ? null : new KeysetCursor(page[^1].OccurredAt, page[^1].Id).Encode(), StoppedAtBudget: true);
        }

        string? next = null;
        if (page.Count > filter.Limit)
        {
            page.RemoveAt(page.Count - 1);
            next = new KeysetCursor(page[^1].OccurredAt, page[^1].Id).Encode();
        }

        await NameKeysAsync(page, cancellationToken);
        return new AuthenticationLogPage(page, next);
    }

    /// <summary>
    /// The keys of the organization the caller may see whose name contains <paramref name="search"/>
    /// or whose hint starts with it (all when empty), by name, at most <paramref name="limit"/>: the
    /// log's key picker; only the key <paramref name="id"/> when given (a link that names the key).
    /// Empty for a caller who may not read the log.
    /// </summary>
    public async Task<IReadOnlyList<LogKeyChoice>> KeysAsync(Caller caller, Guid organizationId, string? search, int limit = 20, Guid? id = null, CancellationToken cancellationToken = default)
    {
        var view = await permissions.MayAsync(caller, PortalAction.ViewAuthenticationLog, organizationId, cancellationToken: cancellationToken)
            ? await permissions.KeyViewAsync(caller, organizationId, cancellationToken)
            : KeyView.None;
        if (view == KeyView.None)
        {
            return [];
        }

        var keys = db.ApiKeys.AsNoTracking().Where(k => k.OrganizationId == organizationId);
        if (view == KeyView.Own)
        {
            keys = keys.Where(k => k.OwnerId == caller.UserId);
        }

        if (id is { } one)
        {
            keys = keys.Where(k => k.Id == one);
        }

        var text = search?.Trim();
        // Names hold no control characters, so such a search matches nothing (and PostgreSQL refuses a NUL).
        if (!string.IsNullOrEmpty(text))
        {
            if (text.Length > Keys.ApiKey.NameMaxLength || text.Any(char.IsControl))
            {
                return [];
            }

            keys = keys.Where(k => k.Name.Contains(text) || k.Hint.StartsWith(text));
        }

        return await keys.OrderBy(k => k.Name).ThenBy(k => k.Id).Take(Math.Clamp(limit, 1, MaxPageSize))
            .Select(k => new LogKeyChoice(k.Id, k.Name, k.Hint)).ToListAsync(cancellationToken);
    }

    // One read for the page's key names: the log keeps ids and hints, the portal shows names beside them.
    private async Task NameKeysAsync(List<AuthenticationLogRecord> page, CancellationToken cancellationToken)
    {
        var ids = page.Where(r => r.KeyId is not null).Select(r => r.KeyId!.Value).Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var names = await db.ApiKeys.AsNoTracking().Where(k => ids.Contains(k.Id)).Select(k => new { k.Id, k.Name }).ToDictionaryAsync(k => k.Id, k => k.Name, cancellationToken);
        foreach (var record in page)
        {
            record.KeyName = record.KeyId is { } id && names.TryGetValue(id, out var name) ? name : null;
        }
    }

    /// <summary>
    /// The filtered view as CSV lines (header first), streamed: at most
    /// <see cref="LogQueryOptions.ExportRowBudget"/> rows after reading at most
    /// <see cref="LogQueryOptions.ExportScanBudget"/> records; an export that stops at either ends
    /// with <see cref="ExportStoppedLine"/>.
    /// </summary>
    /// <exception cref="InvalidRequestException">At once, before anything is read, when the range is refused.</exception>
    public IAsyncEnumerable<string> ExportCsvAsync(Caller caller, AuthenticationLogFilter filter, CancellationToken cancellationToken = default) =>
        ExportCsvAsync(caller, filter, options.Value.Range(filter.From, filter.To, time.GetUtcNow()), cancellationToken);

    private async IAsyncEnumerable<string> ExportCsvAsync(
        Caller caller, AuthenticationLogFilter filter, (DateTimeOffset From, DateTimeOffset? To) range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var budget = new ScanBudget(options.Value.ExportScanBudget);
        var rowBudget = options.Value.ExportRowBudget;
        await using var records = VisibleAsync(caller, filter, range, cursor: null, budget, cancellationToken).GetAsyncEnumerator(cancellationToken);
        // count: how many decisions the row stands for (more than 1 for keyless decisions folded per address and minute);
        // scope and rule: what decided (the scope needed, the endpoint rule that named it).
        yield return "occurred_at,key_id,key_hint,code,door,method,path,client_ip,user_agent,latency_us,count,scope,rule";
        var rows = 0;
        while (true)
        {
            bool more;
            try
            {
                more = await records.MoveNextAsync();
            }
            catch (ScanBudget.Spent)
            {
                more = false;
                rows = -1;
            }

            if (!more)
            {
                break;
            }

            if (rows == rowBudget)
            {
                rows = -1;
                break;
            }

            var r = records.Current;
            rows++;
            yield return string.Join(',',
                r.OccurredAt.ToString("O", CultureInfo.InvariantCulture),
                r.KeyId?.ToString() ?? "",
                Csv(r.KeyHint),
                Csv(r.Code),
                Csv(r.Door),
                Csv(r.Method),
                Csv(r.Path),
                Csv(r.ClientIp),
                Csv(r.UserAgent),
                r.LatencyMicroseconds.ToString(CultureInfo.InvariantCulture),
                r.Count.ToString(CultureInfo.InvariantCulture),
                Csv(r.Scope),
                Csv(r.Rule));
        }

        if (rows < 0)
        {
            yield return ExportStoppedLine;
        }
    }

    /// <summary>
    /// The records the caller may see that match the filter, newest first, after <paramref name="cursor"/>.
    /// Who, which key and when narrow the segments read; the other filters look at each record.
    /// </summary>
    private async IAsyncEnumerable<AuthenticationLogRecord> VisibleAsync(
        Caller caller,
        AuthenticationLogFilter filter,
        (DateTimeOffset From, DateTimeOffset? To) range,
        KeysetCursor? cursor,
        ScanBudget budget,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var view = await permissions.MayAsync(caller, PortalAction.ViewAuthenticationLog, filter.OrganizationId, cancellationToken: cancellationToken)
            ? await permissions.KeyViewAsync(caller, filter.OrganizationId, cancellationToken)
            : KeyView.None;
        if (view == KeyView.None)
        {
            yield break;
        }

        // Each line only when the caller may see its key: the key rule, not one of the log's own.
        var segments = db.AuthenticationLogSegments.Where(s => s.OrganizationId == filter.OrganizationId);
        if (view == KeyView.Own)
        {
            segments = segments.Where(s => s.OwnerId == caller.UserId);
        }

        if (filter.KeyId is { } keyId)
        {
            segments = segments.Where(s => s.KeyId == keyId);
        }

        // In UTC: a bound with an offset (from=…+02:00 in the export's query) is refused by PostgreSQL's driver.
        var from = range.From.ToUniversalTime();
        var to = range.To?.ToUniversalTime() ?? DateTimeOffset.MaxValue;
        segments = segments.Where(s => s.LastAt >= from);
        if (range.To is not null)
        {
            segments = segments.Where(s => s.FirstAt < to);
        }

        if (cursor is { } after)
        {
            var at = after.At;
            segments = segments.Where(s => s.FirstAt <= at);
        }

        Func<string, bool> outcome = filter.Outcome switch
        {
            null or "" => static _ => true,
            "allowed" => static code => code == ReasonCodes.Valid,
            "denied" => static code => code != ReasonCodes.Valid,
            var code => c => c == code,
        };
        var ip = string.IsNullOrWhiteSpace(filter.ClientIp) ? null : filter.ClientIp.Trim();
        var path = string.IsNullOrWhiteSpace(filter.Path) ? null : filter.Path.Trim();

        bool Matches(AuthenticationLogRecord r) =>
            budget.Take()
            && r.OccurredAt >= from && r.OccurredAt < to
            && (cursor is not { } c || r.OccurredAt < c.At || (r.OccurredAt == c.At && r.Id.CompareTo(c.Id) < 0))
            && outcome(r.Code)
            && (ip is null || r.ClientIp == ip)
            && (path is null || (r.Path is not null && r.Path.Contains(path, StringComparison.Ordinal)));

        await foreach (var record in AuthenticationLogReader.NewestFirstAsync(segments, Matches, cancellationToken))
        {
            yield return record;
        }
    }

    /// <summary>
    /// Records a query may still read. Spending the last one throws <see cref="Spent"/> out of the
    /// reader, which stops it mid-segment: the reader reads on while nothing matches, so only the
    /// predicate it calls for every record can stop it.
    /// </summary>
    private sealed class ScanBudget(int records)
    {
        private int _left = records;

        public bool Take() => --_left >= 0 ? true : throw new Spent();

        public sealed class Spent : Exception;
    }

    private static string Csv(string? value) => CsvCell.Text(value);
}
