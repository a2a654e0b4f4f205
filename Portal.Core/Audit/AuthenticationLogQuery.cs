using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Validation;

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
public sealed class AuthenticationLogQuery(PortalDbContext db, OrganizationAccess access)
{
    public const int MaxPageSize = 200;
    public const int MaxExportRows = 100_000;

    public async Task<AuthenticationLogPage> ListAsync(Caller caller, AuthenticationLogFilter filter, CancellationToken cancellationToken = default)
    {
        if (filter.Limit is < 1 or > MaxPageSize)
        {
            throw new InvalidRequestException("limit", $"Limit must be between 1 and {MaxPageSize}.");
        }

        var records = await VisibleAsync(caller, filter, cancellationToken);
        if (filter.Cursor is not null)
        {
            var cursor = KeysetCursor.Decode(filter.Cursor);
            records = records.Where(r => r.OccurredAt < cursor.At || (r.OccurredAt == cursor.At && r.Id.CompareTo(cursor.Id) < 0));
        }

        var page = await records.Take(filter.Limit + 1).ToListAsync(cancellationToken);
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
        var records = await VisibleAsync(caller, filter, cancellationToken);
        yield return "occurred_at,key_id,key_hint,code,door,method,path,client_ip,user_agent,latency_us";
        await foreach (var r in records.Take(MaxExportRows).AsAsyncEnumerable().WithCancellation(cancellationToken))
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
        }
    }

    private async Task<IQueryable<AuthenticationLogRecord>> VisibleAsync(Caller caller, AuthenticationLogFilter filter, CancellationToken cancellationToken)
    {
        if (filter.From > filter.To)
        {
            throw new InvalidRequestException("from", "The start of the range must be before its end.");
        }

        var role = await access.RoleAsync(caller, filter.OrganizationId, cancellationToken);
        var records = db.AuthenticationLog.AsNoTracking().Where(r => r.OrganizationId == filter.OrganizationId);
        if (role is null)
        {
            records = records.Where(_ => false);
        }
        else if (role < OrganizationRole.Admin)
        {
            records = records.Where(r => r.OwnerId == caller.UserId);
        }

        if (filter.From is { } from)
        {
            records = records.Where(r => r.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            records = records.Where(r => r.OccurredAt < to);
        }

        if (filter.KeyId is { } keyId)
        {
            records = records.Where(r => r.KeyId == keyId);
        }

        records = filter.Outcome switch
        {
            null or "" => records,
            "allowed" => records.Where(r => r.Code == ReasonCodes.Valid),
            "denied" => records.Where(r => r.Code != ReasonCodes.Valid),
            var code => records.Where(r => r.Code == code),
        };

        if (!string.IsNullOrWhiteSpace(filter.ClientIp))
        {
            var ip = filter.ClientIp.Trim();
            records = records.Where(r => r.ClientIp == ip);
        }

        if (!string.IsNullOrWhiteSpace(filter.Path))
        {
            var path = filter.Path.Trim();
            records = records.Where(r => r.Path != null && r.Path.Contains(path));
        }

        return records.OrderByDescending(r => r.OccurredAt).ThenByDescending(r => r.Id);
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
