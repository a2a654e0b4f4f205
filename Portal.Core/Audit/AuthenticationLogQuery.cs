using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Core.Permissions;

namespace Portal.Core.Audit;

/// <summary>Which authentication log records to show.</summary>
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

public sealed record AuthenticationLogPage(IReadOnlyList<AuthenticationLogRecord> Items, string? NextCursor);

/// <summary>
/// Reads the authentication log for the portal: an organization's admins see all its records,
/// everyone else only the records of their own keys. Newest first, keyset paging, no counts.
/// </summary>
public sealed class AuthenticationLogQuery(PortalDbContext db, PermissionEvaluator permissions)
{
    public const int MaxPageSize = 200;
    public const int MaxExportRows = 100_000;

    public async Task<AuthenticationLogPage> ListAsync(Caller caller, AuthenticationLogFilter filter, CancellationToken cancellationToken = default)
    {
        if (filter.Limit is < 1 or > MaxPageSize)
        {
            throw new InvalidRequestException("limit", $"Limit must be between 1 and {MaxPageSize}.");
        }

        ThrowIfInvalidRange(filter);
        KeysetCursor? cursor = filter.Cursor is null ? null : KeysetCursor.Decode(filter.Cursor);
        var page = new List<AuthenticationLogRecord>(filter.Limit + 1);
        await foreach (var record in VisibleAsync(caller, filter, cursor, cancellationToken))
        {
            page.Add(record);
            if (page.Count > filter.Limit)
            {
                break;
            }
        }

        string? next = null;
        if (page.Count > filter.Limit)
        {
            page.RemoveAt(page.Count - 1);
            next = new KeysetCursor(page[^1].OccurredAt, page[^1].Id).Encode();
        }

        return new AuthenticationLogPage(page, next);
    }

    /// <summary>The filtered view as CSV lines (header first), streamed, at most <see cref="MaxExportRows"/> rows.</summary>
    public async IAsyncEnumerable<string> ExportCsvAsync(Caller caller, AuthenticationLogFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidRange(filter);
        var records = VisibleAsync(caller, filter, cursor: null, cancellationToken);
        yield return "occurred_at,key_id,key_hint,code,door,method,path,client_ip,user_agent,latency_us";
        var rows = 0;
        await foreach (var r in records)
        {
            yield return string.Join(',',
                r.OccurredAt.ToString("O", CultureInfo.InvariantCulture),
                r.KeyId?.ToString() ?? "",
                Csv(r.KeyHint),
                r.Code,
                r.Door,
                Csv(r.Method),
                Csv(r.Path),
                Csv(r.ClientIp),
                Csv(r.UserAgent),
                r.LatencyMicroseconds.ToString(CultureInfo.InvariantCulture));
            if (++rows == MaxExportRows)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The records the caller may see that match the filter, newest first, after <paramref name="cursor"/>.
    /// Who, which key and when narrow the segments read; the other filters look at each record.
    /// </summary>
    private async IAsyncEnumerable<AuthenticationLogRecord> VisibleAsync(
        Caller caller, AuthenticationLogFilter filter, KeysetCursor? cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
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
        var from = filter.From?.ToUniversalTime() ?? DateTimeOffset.MinValue;
        var to = filter.To?.ToUniversalTime() ?? DateTimeOffset.MaxValue;
        if (filter.From is not null)
        {
            segments = segments.Where(s => s.LastAt >= from);
        }

        if (filter.To is not null)
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
            r.OccurredAt >= from && r.OccurredAt < to
            && (cursor is not { } c || r.OccurredAt < c.At || (r.OccurredAt == c.At && r.Id.CompareTo(c.Id) < 0))
            && outcome(r.Code)
            && (ip is null || r.ClientIp == ip)
            && (path is null || (r.Path is not null && r.Path.Contains(path, StringComparison.Ordinal)));

        await foreach (var record in AuthenticationLogReader.NewestFirstAsync(segments, Matches, cancellationToken))
        {
            yield return record;
        }
    }

    private static void ThrowIfInvalidRange(AuthenticationLogFilter filter)
    {
        if (filter.From > filter.To)
        {
            throw new InvalidRequestException("from", "The start of the range must be before its end.");
        }
    }

    // RFC 4180 quoting; a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
