namespace Portal.Core.Protections;

/// <summary>
/// Compiled country rules (<see cref="CountryRules"/>): an allow set and a deny set of ISO 3166-1
/// alpha-2 codes as bit sets over <see cref="CountryCode.Space"/>. <see cref="Allows"/> allocates nothing.
/// </summary>
public sealed class CountryList
{
    /// <summary>The most codes in one allow or deny list.</summary>
    public const int MaxEntries = 250;

    // The 249 codes ISO 3166-1 lists as officially assigned (ISO 3166 Maintenance Agency, as of 2024),
    // then XK. XK is not an ISO code: it is user-assigned, and Kosovo uses it by agreement (the
    // European Commission, SWIFT and others). It is accepted because geo databases (MaxMind's among
    // them) place Kosovo's addresses under XK, so a rule about Kosovo must be able to name it. Other
    // user-assigned and reserved codes (EU, UK, ZZ, AA, QM–QZ, XA–XZ but XK) are refused: no
    // database places an address under them, so a rule naming one could never match.
    private const string AssignedCodes =
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
        "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
        "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
        "DE DJ DK DM DO DZ " +
        "EC EE EG EH ER ES ET " +
        "FI FJ FK FM FO FR " +
        "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
        "HK HM HN HR HT HU " +
        "ID IE IL IM IN IO IQ IR IS IT " +
        "JE JM JO JP " +
        "KE KG KH KI KM KN KP KR KW KY KZ " +
        "LA LB LC LI LK LR LS LT LU LV LY " +
        "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
        "NA NC NE NF NG NI NL NO NP NR NU NZ " +
        "OM " +
        "PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
        "QA " +
        "RE RO RS RU RW " +
        "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
        "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
        "UA UG UM US UY UZ " +
        "VA VC VE VG VI VN VU " +
        "WF WS " +
        "YE YT " +
        "ZA ZM ZW " +
        "XK";

    // 26 × 26 = 676 bits in 64-bit words.
    private const int Words = (CountryCode.Space + 63) / 64;

    private static readonly ulong[] Assigned = BuildAssigned();

    private readonly ulong[] _allow;
    private readonly ulong[] _deny;

    public static CountryList Empty { get; } = new(new ulong[Words], new ulong[Words]);

    private CountryList(ulong[] allow, ulong[] deny)
    {
        _allow = allow;
        _deny = deny;
    }

    public bool IsEmpty => Allow.Count == 0 && Deny.Count == 0;

    /// <summary>The allow list's codes, upper case, sorted.</summary>
    public IReadOnlyList<string> Allow { get; private init; } = [];

    /// <summary>The deny list's codes, upper case, sorted.</summary>
    public IReadOnlyList<string> Deny { get; private init; } = [];

    /// <summary>
    /// Whether a request from <paramref name="country"/> passes: in the allow list when there is
    /// one (an unknown country, <see cref="CountryCode.None"/>, does not pass an allow list), and not in the deny list.
    /// </summary>
    public bool Allows(CountryCode country)
    {
        if (Allow.Count > 0 && !Has(_allow, country))
        {
            return false;
        }

        return !Has(_deny, country);
    }

    /// <summary>Whether <paramref name="country"/> is in the deny list; false for <see cref="CountryCode.None"/>.</summary>
    public bool Denies(CountryCode country) => Has(_deny, country);

    /// <summary>
    /// Whether the code is an officially assigned ISO 3166-1 alpha-2 code (the 249 of them), or XK,
    /// which is user-assigned but which geo databases use for Kosovo.
    /// </summary>
    public static bool IsAssigned(CountryCode country) => Has(Assigned, country);

    /// <summary>
    /// Parses rules; a code that is not an assigned ISO 3166-1 alpha-2 code (see <see cref="IsAssigned"/>;
    /// either case accepted, surrounding white space ignored, stored upper case) gets a message under
    /// <c>{field}.allow[i]</c> / <c>{field}.deny[i]</c>, as does a code given twice in a list or in both
    /// lists (the deny list's entry is named). More than <see cref="MaxEntries"/> codes in a list get one
    /// message under <c>{field}.allow</c> / <c>{field}.deny</c>, unread. Null or empty rules give
    /// <see cref="Empty"/>; when messages were added the list holds only the codes that passed, and
    /// callers refuse the input.
    /// </summary>
    public static CountryList Parse(CountryRules? rules, string field, Dictionary<string, string[]> errors)
    {
        if (rules is null || ((rules.Allow?.Count ?? 0) == 0 && (rules.Deny?.Count ?? 0) == 0))
        {
            return Empty;
        }

        var allowSet = new ulong[Words];
        var denySet = new ulong[Words];
        var allow = ParseOne(rules.Allow, $"{field}.allow", allowSet, null, errors);
        var deny = ParseOne(rules.Deny, $"{field}.deny", denySet, allowSet, errors);
        return allow.Length == 0 && deny.Length == 0
            ? Empty
            : new CountryList(allowSet, denySet) { Allow = allow, Deny = deny };
    }

    private static string[] ParseOne(List<string>? codes, string field, ulong[] set, ulong[]? allowed, Dictionary<string, string[]> errors)
    {
        if (codes is null || codes.Count == 0)
        {
            return [];
        }

        // Counted before any code is read: the work below is bounded whatever a request body holds.
        if (codes.Count > MaxEntries)
        {
            errors[field] = [$"A list can have at most {MaxEntries} countries; {codes.Count} were given."];
            return [];
        }

        var accepted = new List<string>(codes.Count);
        for (var i = 0; i < codes.Count; i++)
        {
            var text = codes[i]?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                errors[$"{field}[{i}]"] = ["A country code cannot be empty: give two letters such as DE or US."];
                continue;
            }

            if (!CountryCode.TryFrom(text, out var code) || !IsAssigned(code))
            {
                var shown = text.Length <= 40 ? text : text[..40] + "…";
                errors[$"{field}[{i}]"] = [$"'{shown}' is not an ISO 3166-1 alpha-2 country code (two letters such as DE or US)."];
                continue;
            }

            if (Has(set, code))
            {
                errors[$"{field}[{i}]"] = [$"'{code}' is given twice in this list (entry {IndexOf(codes, code)})."];
                continue;
            }

            if (allowed is not null && Has(allowed, code))
            {
                errors[$"{field}[{i}]"] = [$"'{code}' is in the allow list too; a country can be allowed or denied, not both."];
                continue;
            }

            set[code.Value >> 6] |= 1UL << code.Value;
            accepted.Add(code.ToString());
        }

        accepted.Sort(StringComparer.Ordinal);
        return [.. accepted];
    }

    // Only for a message: the first entry that names the code.
    private static int IndexOf(List<string> codes, CountryCode code) =>
        codes.FindIndex(c => CountryCode.TryFrom(c.AsSpan().Trim(), out var other) && other == code);

    private static bool Has(ulong[] set, CountryCode country) =>
        country.IsKnown && (set[country.Value >> 6] & (1UL << country.Value)) != 0;

    private static ulong[] BuildAssigned()
    {
        var set = new ulong[Words];
        foreach (var text in AssignedCodes.Split(' '))
        {
            CountryCode.TryFrom(text, out var code);
            set[code.Value >> 6] |= 1UL << code.Value;
        }

        return set;
    }
}
