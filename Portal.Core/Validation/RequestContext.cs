using Portal.Core.Apis;
using Portal.Core.Protections;
using Portal.Core.Signatures;

namespace Portal.Core.Validation;

/// <summary>What the request the key came with asks for.</summary>
/// <param name="RequiredScope">The scope the request needs, or null (see <paramref name="UseEndpointRules"/>).</param>
/// <param name="ClientIp">The client's address, when known.</param>
/// <param name="Method">The original request's canonical method (<see cref="RequestTarget.CanonicalMethod"/>), when known.</param>
/// <param name="Path">The original request's canonical path (<see cref="RequestTarget.CanonicalPath"/>), when known.</param>
/// <param name="Resource">A resource the request touches (<c>asset/eu-17</c>), checked against the grants' filters.</param>
/// <param name="UseEndpointRules">
/// With no required scope: true derives it from <paramref name="Api"/>'s endpoint rules for
/// <paramref name="Method"/> and <paramref name="Path"/>; false authenticates the key only.
/// </param>
/// <param name="Api">The API the request is for (the gateway door, or verify's <c>apiId</c>); keys of other organizations are unknown to it.</param>
/// <param name="TargetRefused">
/// The request's method or target was sent but is not canonical, or cannot be read unambiguously:
/// <see cref="ReasonCodes.PathNotCanonical"/> once the key is known to be usable.
/// </param>
/// <param name="MethodOverride">
/// The request asks the upstream to run another method than its own (a method-override header or
/// <see cref="RequestTarget.MethodOverrideParameter"/> in its query): refused when endpoint rules decide.
/// </param>
/// <param name="EnforceResourceFilters">
/// Who applies the resource filters of a grant limited to resources. False (the gateway door and
/// verify): a request that names no <paramref name="Resource"/> is allowed by such a grant, and the
/// filters travel with the answer (<c>X-Auth-Resource-Filters</c>, verify's <c>filters</c>) for the
/// app to apply. True (the product's own management API, where nothing after the decision applies
/// them): such a grant allows only a request whose <paramref name="Resource"/> it matches, and none
/// that names no resource (<see cref="ReasonCodes.ResourceNotAllowed"/>).
/// </param>
/// <param name="Address">The client's address, parsed (<see cref="ClientAddress.Parse"/> of <paramref name="ClientIp"/>); checked against IP allowlists and deny lists, located for country rules, watched for attacks.</param>
/// <param name="OrganizationId">
/// The organization whose door this is when no <paramref name="Api"/> names it (verify: the calling
/// app's): its block list, deny lists and threat thresholds apply. Keys of other organizations are not affected by it.
/// </param>
/// <param name="Shield">Set by <see cref="KeyValidator"/>: the organization's shield.</param>
/// <param name="Country">
/// Set by <see cref="KeyValidator"/> when a country rule applies: the client's country
/// (<see cref="CountryCode.None"/> when the database does not place the address or none is known), or
/// null when no country database is loaded (country rules then refuse with <see cref="ReasonCodes.GeoUnavailable"/>).
/// </param>
/// <param name="ProtectionsChecked">
/// The address and country were already checked for this request by <see cref="KeyValidator.ValidateAsync"/>
/// (the ApiKey scheme's scope requirements decide scopes only afterwards); so was the signature.
/// </param>
/// <param name="Message">
/// The request as its RFC 9421 signature covers it, when it carries <c>Signature</c> or <c>Signature-Input</c>:
/// the signature is then checked whether or not one is required. Null for a request without one (refused
/// with <see cref="ReasonCodes.SignatureRequired"/> where the key, the API or the matching rule requires one).
/// </param>
/// <param name="CredentialUnreadable">
/// The request carried a credential the door could not read as one token (two of them, or another
/// scheme than Bearer): with no token, it is <see cref="ReasonCodes.Malformed"/> rather than <see cref="ReasonCodes.Missing"/>.
/// </param>
public readonly record struct RequestContext(
    string? RequiredScope = null,
    string? ClientIp = null,
    string? Method = null,
    string? Path = null,
    string? Resource = null,
    bool UseEndpointRules = false,
    ApiPolicy? Api = null,
    bool TargetRefused = false,
    bool MethodOverride = false,
    bool EnforceResourceFilters = false,
    ClientAddress Address = default,
    Guid? OrganizationId = null,
    OrganizationShield? Shield = null,
    CountryCode? Country = null,
    bool ProtectionsChecked = false,
    SignedMessage? Message = null,
    bool CredentialUnreadable = false);
