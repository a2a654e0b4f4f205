using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Permissions;

namespace Portal.Core.Audit;

/// <summary>
/// Filters for the audit page; all optional except the organization. The range covers at most
/// <see cref="LogQueryOptions.MaxRangeDays"/> days (an absent start: that many days before the end or now).
/// </summary>
public sealed record AuditFilter(
    Guid OrganizationId,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Actor = null,
    string? Action = null,
    Guid? KeyId = null,
    int Offset = 0,
    int Limit = 50);

/// <summary>A page of audit records, newest first, and whether more follow (no full count).</summary>
/// <param name="StoppedAtBudget">
/// True when more records match but lie past <see cref="LogQueryOptions.AuditRowBudget"/> records
/// from the newest: narrow the filter to reach them.
/// </param>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, bool HasMore, bool StoppedAtBudget = false);

/// <summary>
/// Reads an organization's audit trail for its admins and owners. Anyone else gets an empty page,
/// exactly as for an organization with no records. A query covers a bounded time range and pages
/// no deeper than <see cref="LogQueryOptions.AuditRowBudget"/> records.
/// </summary>
public sealed class AuditQuery(PortalDbContext db, PermissionEvaluator permissions, IOptions<LogQueryOptions> options, TimeProvider time)
{
    public const int MaxPageSize = 200;

    /// <summary>Every action name the trail uses, for a filter list.</summary>
    public static readonly IReadOnlyList<string> KnownActions =
    [
        AuditActions.KeyCreated, AuditActions.KeyUpdated, AuditActions.KeyRotated, AuditActions.KeyRevoked, AuditActions.KeyExpired,
        AuditActions.KeyDisabled, AuditActions.KeyGraceEnded, AuditActions.KeyAccessReduced, AuditActions.PolicyChanged, AuditActions.WebhookChanged, AuditActions.WebhookRemoved,
        AuditActions.OrganizationCreated, AuditActions.MemberAdded, AuditActions.MemberRoleChanged, AuditActions.MemberRemoved,
        OrganizationDirectory.InvitationCreatedAction, OrganizationDirectory.InvitationRevokedAction,
        AuditActions.UserRegistered, AuditActions.AdminCreated,
    ];

    public async Task<AuditPage> SearchAsync(Caller caller, AuditFilter filter, CancellationToken cancellationToken = default)
    {
        if (filter.Limit is < 1 or > MaxPageSize || filter.Offset < 0)
        {
            throw new InvalidRequestException("limit", $"Limit must be between 1 and {MaxPageSize}, offset not negative.");
        }

        var budget = options.Value.AuditRowBudget;
        if (filter.Offset >= budget)
        {
            throw new InvalidRequestException("offset", $"Pages reach back {budget} records at most. {LogQueryOptions.NarrowTheFilter}");
        }

        var range = options.Value.Range(filter.From, filter.To, time.GetUtcNow());
        if (!await permissions.MayAsync(caller, PortalAction.ViewAuditTrail, filter.OrganizationId, cancellationToken: cancellationToken))
        {
            return new AuditPage([], false);
        }

        var fromUtc = range.From.ToUniversalTime();
        var records = db.AuditRecords.AsNoTracking().Where(a => a.OrganizationId == filter.OrganizationId && a.OccurredAt >= fromUtc);
        if (range.To is { } to)
        {
            var toUtc = to.ToUniversalTime();
            records = records.Where(a => a.OccurredAt < toUtc);
        }

        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var actor = filter.Actor.Trim();
            records = records.Where(a => a.Actor.Contains(actor));
        }

        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            var action = filter.Action.Trim();
            records = records.Where(a => a.Action == action);
        }

        if (filter.KeyId is { } keyId)
        {
            var target = keyId.ToString();
            records = records.Where(a => a.TargetType == "key" && a.TargetId == target);
        }

        var page = await records
            .OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id)
            .Skip(filter.Offset)
            .Take(filter.Limit + 1)
            .ToListAsync(cancellationToken);
        var hasMore = page.Count > filter.Limit;
        if (hasMore)
        {
            page.RemoveAt(page.Count - 1);
        }

        // The next page would start at or past the budget: say so instead of offering it.
        return hasMore && filter.Offset + filter.Limit >= budget
            ? new AuditPage(page, false, StoppedAtBudget: true)
            : new AuditPage(page, hasMore);
    }
}
