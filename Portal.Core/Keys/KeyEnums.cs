namespace Portal.Core.Keys;

/// <summary>Where a key is meant to be used; each environment has its own token prefix.</summary>
public enum KeyEnvironment
{
    Test = 0,
    Live = 1,
}

/// <summary>The lifecycle state of a key. Revoked and expired are final.</summary>
public enum KeyStatus
{
    Active = 0,
    Revoked = 1,
    Expired = 2,
    Disabled = 3,

    /// <summary>Stopped by a leaked-key signal under the organization's policy until an admin lifts it (back to active).</summary>
    Suspended = 4,
}
