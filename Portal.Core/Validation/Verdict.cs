namespace Portal.Core.Validation;

/// <summary>A decision with what decided it: the endpoint rule that named the scope and the grant that allowed it.</summary>
/// <param name="Code">The reason code.</param>
/// <param name="RuleIndex">The index of the matched endpoint rule, or a negative <see cref="Access.EndpointRuleMatcher"/> constant.</param>
/// <param name="GrantIndex">The index of the allowing grant in the key's compiled access, or -1.</param>
/// <param name="Detail">For <see cref="ReasonCodes.SignatureInvalid"/>: what is wrong with the signature (safe to return to the client).</param>
/// <param name="Signature">A verified signature whose nonce is still to be taken before the request is allowed (see <see cref="Signatures.SignatureOutcome.Nonce"/>).</param>
public readonly record struct Verdict(string Code, int RuleIndex = Access.EndpointRuleMatcher.NoMatch, int GrantIndex = -1, string? Detail = null, Signatures.SignatureOutcome Signature = default);
