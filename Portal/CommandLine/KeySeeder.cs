using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;

namespace Portal.CommandLine;

/// <summary>
/// <c>seed keys --owner E --count N</c>: fills an organization with keys to measure the portal's
/// key list at scale, then times the list pages the portal asks for. Tokens are generated and
/// hashed like real ones but never printed: seeded keys are for measuring only.
/// </summary>
public static class KeySeeder
{
    private const int BatchSize = 2_000;

    public static async Task<int> SeedAsync(IServiceProvider services, CommandArguments args)
    {
        var count = int.TryParse(args.Single("count"), out var n) && n is > 0 and <= 5_000_000
            ? n
            : throw new ArgumentException("--count must be a number between 1 and 5000000.");
        var (owner, organizationId) = await OwnerAsync(services, args);
        var clock = Stopwatch.StartNew();
        await InsertKeysAsync(services, owner, organizationId, count);
        await Console.Error.WriteLineAsync($"\nInserted {count} keys in {clock.Elapsed.TotalSeconds:0.0} s.");
        await MeasureAsync(services, new Caller(owner.Id, owner.Email!, Channels.CommandLine), organizationId);
        return 0;
    }

    /// <summary>The user named by <c>--owner</c> and the organization to seed: <c>--organization</c>, else their personal one.</summary>
    public static async Task<(PortalUser Owner, Guid OrganizationId)> OwnerAsync(IServiceProvider services, CommandArguments args)
    {
        var email = args.Single("owner");
        var owner = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email)
            ?? throw new InvalidRequestException("owner", $"No user has the email '{email}'.");
        var organizationId = args.Optional("organization") is { } given
            ? Guid.TryParse(given, out var id) ? id : throw new ArgumentException("--organization must be an organization id.")
            : owner.PersonalOrganizationId;
        return (owner, organizationId);
    }

    /// <summary>Inserts <paramref name="count"/> keys in batches; returns their ids and hints in creation order.</summary>
    public static async Task<List<(Guid Id, string Hint)>> InsertKeysAsync(IServiceProvider services, PortalUser owner, Guid organizationId, int count)
    {
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var hasher = services.GetRequiredService<KeyHasher>();
        var time = services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        var run = Guid.NewGuid().ToString("N")[..6];
        var inserted = new List<(Guid Id, string Hint)>(count);
        for (var start = 0; start < count; start += BatchSize)
        {
            // A fresh context per batch keeps the change tracker small.
            await using var db = await factory.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(start + BatchSize, count); i++)
            {
                var token = ApiKeyToken.Generate(i % 3 == 0 ? "pk_live" : "pk_test");
                var createdAt = now.AddSeconds(-(count - i));
                var key = new ApiKey
                {
                    OrganizationId = organizationId,
                    OwnerId = owner.Id,
                    Name = $"seed-{run}-{i:D7}",
                    Environment = i % 3 == 0 ? KeyEnvironment.Live : KeyEnvironment.Test,
                    Status = i % 10 == 0 ? KeyStatus.Revoked : KeyStatus.Active,
                    Scopes = ["orders:read"],
                    Hint = ApiKeyToken.Hint(token),
                    CreatedAt = createdAt,
                    UpdatedAt = createdAt,
                    ExpiresAt = i % 4 == 0 ? now.AddDays(i % 365 + 1) : null,
                    LastUsedAt = i % 2 == 0 ? now.AddMinutes(-(i % 10_000)) : null,
                };
                key.Secrets.Add(new ApiKeySecret
                {
                    Hash = hasher.Hash(token),
                    PepperVersion = hasher.Peppers.CurrentVersion,
                    Hint = key.Hint,
                    CreatedAt = createdAt,
                });
                db.ApiKeys.Add(key);
                inserted.Add((key.Id, key.Hint));
            }

            await db.SaveChangesAsync();
            await Console.Error.WriteAsync($"\rseeded {Math.Min(start + BatchSize, count)}/{count} keys");
        }

        return inserted;
    }

    /// <summary>Times the pages the portal's grid asks for, each after a warm-up, as the median of five.</summary>
    private static async Task MeasureAsync(IServiceProvider services, Caller caller, Guid organizationId)
    {
        var total = await services.GetRequiredService<PortalDbContext>().ApiKeys.CountAsync(k => k.OrganizationId == organizationId);
        (string Name, KeyListQuery Query)[] cases =
        [
            ("first page, newest first", new KeyListQuery(organizationId)),
            ("page 50, newest first", new KeyListQuery(organizationId, Offset: 49 * 20)),
            ("last page, newest first", new KeyListQuery(organizationId, Offset: Math.Max(0, total - 20))),
            ("first page by name", new KeyListQuery(organizationId, Sort: KeySort.Name, Descending: false)),
            ("first page by expiry", new KeyListQuery(organizationId, Sort: KeySort.ExpiresAt, Descending: false)),
            ("first page by last use", new KeyListQuery(organizationId, Sort: KeySort.LastUsedAt)),
            ("search 'seed' (all match)", new KeyListQuery(organizationId, Search: "seed")),
            ("search '0099999' (one match)", new KeyListQuery(organizationId, Search: "0099999")),
            ("active only", new KeyListQuery(organizationId, Status: KeyStatus.Active)),
        ];
        Console.Out.WriteLine($"Key list, {total} keys in the organization, 20 per page (median of 5, ms):");
        foreach (var (name, query) in cases)
        {
            var timings = new List<double>();
            for (var run = 0; run < 6; run++)
            {
                await using var scope = services.CreateAsyncScope();
                var catalog = scope.ServiceProvider.GetRequiredService<KeyCatalog>();
                var clock = Stopwatch.StartNew();
                await catalog.ListPageAsync(caller, query);
                if (run > 0)
                {
                    timings.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            timings.Sort();
            Console.Out.WriteLine($"  {name,-32} {timings[timings.Count / 2],8:0.0}");
        }
    }
}
