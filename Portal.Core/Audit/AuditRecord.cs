namespace Portal.Core.Audit;

/// <summary>One administrative action. Append-only: the DbContext refuses to update or delete one.</summary>
public sealed class AuditRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid? OrganizationId { get; set; }

    public Guid? ActorId { get; set; }

    /// <summary>Who acted, as shown: a user's email, a key's hint, or a job's name.</summary>
    public required string Actor { get; set; }

    /// <summary>A stable action name such as <c>key.created</c>; see <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }

    public required string TargetType { get; set; }

    public string? TargetId { get; set; }

    public string? TargetName { get; set; }

    /// <summary>The door the action came through: <c>api</c>, <c>portal</c>, <c>cli</c> or <c>job</c>.</summary>
    public required string Channel { get; set; }

    public string? ClientIp { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Changed fields and values, as JSON; never key material.</summary>
    public string? Details { get; set; }
}

/// <summary>The action names written to the audit trail.</summary>
public static class AuditActions
{
    public const string KeyCreated = "key.created";
    public const string KeyUpdated = "key.updated";
    public const string KeyRotated = "key.rotated";
    public const string KeyRevoked = "key.revoked";
    public const string KeyExpired = "key.expired";
    public const string KeyDisabled = "key.disabled";
    public const string KeyGraceEnded = "key.grace_ended";

    /// <summary>A key lost scopes, grants or permission sets its owner's new role may not give (details: before and after).</summary>
    public const string KeyAccessReduced = "key.access_reduced";
    public const string PolicyChanged = "organization.policy_changed";
    public const string WebhookChanged = "organization.webhook_changed";
    public const string WebhookRemoved = "organization.webhook_removed";
    public const string JobCompleted = "job.completed";
    public const string AdminCreated = "admin.created";
    public const string UserRegistered = "user.registered";
    public const string OrganizationCreated = "organization.created";
    public const string MemberAdded = "member.added";
    public const string MemberRoleChanged = "member.role_changed";
    public const string MemberRemoved = "member.removed";
    public const string ResourceAdded = "resource.added";
    public const string ResourceUpdated = "resource.updated";
    public const string ResourceDeleted = "resource.deleted";
    public const string RuleAdded = "endpoint_rule.added";
    public const string RuleDeleted = "endpoint_rule.deleted";
    public const string ApiCreated = "api.created";
    public const string ApiUpdated = "api.updated";
    public const string ApiDeleted = "api.deleted";
    public const string RegistrationChanged = "platform.registration_changed";
    public const string PermissionSetCreated = "permission_set.created";
    public const string PermissionSetUpdated = "permission_set.updated";
    public const string PermissionSetDeleted = "permission_set.deleted";

    /// <summary>An address or network was blocked for the organization (automatically or by an admin; details: reason, cause, strike, end).</summary>
    public const string AddressBlocked = "address.blocked";

    /// <summary>An admin lifted a block before its end.</summary>
    public const string AddressUnblocked = "address.unblocked";

    /// <summary>A leaked-key signal for a key (details: the cause, its addresses and countries).</summary>
    public const string KeySuspicious = "key.suspicious";

    /// <summary>A key was suspended after a leaked-key signal, under the organization's policy.</summary>
    public const string KeySuspended = "key.suspended";

    public const string KeySuspensionLifted = "key.suspension_lifted";

    /// <summary>A signing credential was registered on a key (details: its keyid, algorithm and expiry; never the secret).</summary>
    public const string SigningCredentialAdded = "key.signing_credential_added";

    /// <summary>A key's signing credential was revoked.</summary>
    public const string SigningCredentialRevoked = "key.signing_credential_revoked";

    /// <summary>A token of the key was reported found in public (details: the token's hint, source, URL, reporter and what was done).</summary>
    public const string KeyLeaked = "key.leaked";
}
