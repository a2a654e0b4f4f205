using System.Text.Json;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Audit;

/// <summary>
/// Adds audit records to the caller's unit of work, so an action and its record are saved
/// together or not at all. Never records key material.
/// </summary>
public sealed class AuditTrail(PortalDbContext db, TimeProvider time)
{
    public AuditRecord Record(
        Caller caller,
        string action,
        Guid? organizationId,
        string targetType,
        string? targetId,
        string? targetName,
        object? details = null)
    {
        var record = new AuditRecord
        {
            OrganizationId = organizationId,
            ActorId = caller.UserId == Guid.Empty ? null : caller.UserId,
            Actor = caller.Name,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            TargetName = targetName,
            Channel = caller.Channel,
            ClientIp = caller.ClientIp,
            OccurredAt = time.GetUtcNow(),
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        };
        db.AuditRecords.Add(record);
        return record;
    }
}
