using Portal.Core.Validation;

namespace Portal.Core.Organizations;

/// <summary>
/// Who is asking, and through which door. Every service call that returns or changes an object
/// takes one, so tenant and role checks cannot be forgotten by a caller.
/// </summary>
/// <param name="UserId">The signed-in user, or the owner of the API key that made the call.</param>
/// <param name="Name">How the actor appears in the audit trail.</param>
/// <param name="Channel"><c>api</c>, <c>portal</c>, <c>cli</c> or <c>job</c>.</param>
/// <param name="ClientIp">The client address, when there is one.</param>
/// <param name="OrganizationId">
/// When set, the caller may act only in this organization: a key authenticates for its own organization only.
/// </param>
/// <param name="Key">
/// The key the call came through, when it came through one: the caller then acts with at most the
/// intersection of this key's grants (as open at the moment of the call) and its owner's current role.
/// </param>
public sealed record Caller(Guid UserId, string Name, string Channel, string? ClientIp = null, Guid? OrganizationId = null, KeySnapshot? Key = null)
{
    /// <summary>The acting key's id, when the call came through a key.</summary>
    public Guid? KeyId => Key?.KeyId;
}

public static class Channels
{
    public const string Api = "api";
    public const string Portal = "portal";
    public const string CommandLine = "cli";
    public const string Job = "job";
}
