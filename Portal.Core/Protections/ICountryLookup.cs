namespace Portal.Core.Protections;

/// <summary>Where a client address is, by country. Implemented over a MaxMind-format country database (<see cref="CountryDatabase"/>).</summary>
public interface ICountryLookup
{
    /// <summary>Whether a database is configured and loaded; when false, country rules fail closed with <c>GEO_UNAVAILABLE</c>.</summary>
    bool IsAvailable { get; }

    /// <summary>The address's country, or <see cref="CountryCode.None"/> when the database does not place it. Allocates nothing.</summary>
    CountryCode Find(in ClientAddress address);
}
