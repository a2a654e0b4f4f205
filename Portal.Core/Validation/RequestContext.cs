namespace Portal.Core.Validation;

/// <summary>What the request the key came with asks for.</summary>
/// <param name="RequiredScope">The scope the request needs, or null to authenticate the key only.</param>
/// <param name="ClientIp">The client's address, when known.</param>
public readonly record struct RequestContext(string? RequiredScope = null, string? ClientIp = null);
