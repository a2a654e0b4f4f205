using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Core.Validation;
using Portal.Core.Webhooks;

namespace Portal.Core.Leaks;

/// <summary>
/// Stops keys whose tokens were found in public. For each reported token: the checksum is checked
/// offline, and the token is hashed under every pepper version whatever its checksum (so a report
/// of garbage costs what a report of real tokens does until the lookup); well-formed tokens are
/// looked up by hash. For each token of a key that was not reported before, and each token reported
/// before that works again (its key active and unexpired, the token not retired: e.g. a suspension
/// lifted without a rotation by an older version), in one transaction per report: the organization's
/// leak policy (<see cref="LeakResponse"/>: revoke, or suspend until the key is rotated and an admin
/// lifts it), an in-app notification to the key's owner and the organization's admins and owners, a
/// <c>key.leaked</c> webhook event, <c>key.leaked</c> (and <c>key.revoked</c> or <c>key.suspended</c>)
/// audit records and a <see cref="KeyLeak"/> row (updated when the token was reported before); then
/// this node's caches drop the key. A token reported again while it does not work (its key stopped,
/// or the token retired) is still a match but changes nothing: nothing is done twice to a key that
/// is already stopped. Never logs or stores a token.
/// </summary>
/// <remarks>
/// What the reporter learns is only whether each token matched a key (<see cref="ReportAsync"/>'s
/// answer); the portal form shows not even that. A portal user is named in the audit trail only in
/// organizations they are a member of; elsewhere the actor is "a portal user", with no address.
/// </remarks>
public sealed partial class LeakReports(
    IDbContextFactory<PortalDbContext> contexts,
    KeyHasher hasher,
    KeyChangeFeed changes,
    TimeProvider time,
    IMeterFactory meters,
    ILogger<LeakReports> logger)
{
    /// <summary>The most tokens one report may hold.</summary>
    public const int MaxTokens = 1000;

    /// <summary>The longest token a report may hold; a longer one is no token of any key, and is refused as a bad request.</summary>
    public const int MaxTokenLength = 1000;

    /// <summary>The longest URL read from a report (longer is refused); what is stored is cut to <see cref="KeyLeak.UrlMaxLength"/>.</summary>
    public const int MaxUrlLength = 2000;

    /// <summary>The longest <c>source</c> read from a report (longer is refused).</summary>
    public const int MaxSourceLength = 100;

    private const int LookupChunk = 500;
    private const int Attempts = 3;

    private readonly Counter<long> _matches = meters.Create(AuthenticationLog.MeterName)
        .CreateCounter<long>("portal.leaks.matches", description: "Reported tokens that matched a key, by what the report did (revoked, suspended, none).");

    /// <summary>
    /// Handles one report; answers, per token in order, whether it is a token of a key (a true
    /// positive). Throws <see cref="InvalidRequestException"/> naming the field for a report over
    /// <see cref="MaxTokens"/> tokens or with a string over its bound; nothing is then changed.
    /// </summary>
    public async Task<bool[]> ReportAsync(LeakReporter reporter, IReadOnlyList<FoundToken> tokens, CancellationToken cancellationToken = default)
    {
        Check(tokens);
        var byHash = HashAll(tokens);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyAsync(reporter, tokens, byHash, cancellationToken);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // A concurrent report of the same token, or an edit of the key, won the race: read
                // everything again; what that one did is then seen and not done twice.
            }
        }
    }

    /// <summary>The bounds of a report, checked before anything is read or hashed.</summary>
    public static void Check(IReadOnlyList<FoundToken> tokens)
    {
        if (tokens.Count > MaxTokens)
        {
            throw new InvalidRequestException("body", $"At most {MaxTokens} tokens per report ({tokens.Count} were sent).");
        }

        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < tokens.Count && errors.Count < 20; i++)
        {
            var found = tokens[i];
            if (string.IsNullOrEmpty(found.Token) || found.Token.Length > MaxTokenLength)
            {
                errors[$"[{i}].token"] = [$"The token is required and at most {MaxTokenLength} characters."];
            }

            if (found.Url?.Length > MaxUrlLength)
            {
                errors[$"[{i}].url"] = [$"The URL must be at most {MaxUrlLength} characters."];
            }

            if (found.Source?.Length > MaxSourceLength)
            {
                errors[$"[{i}].source"] = [$"The source must be at most {MaxSourceLength} characters."];
            }
        }

        InvalidRequestException.ThrowIfAny(errors);
    }

    /// <summary>Where a token was found, as stored: an absolute http(s) URL without its query or fragment, cut to size; null for anything else.</summary>
    public static string? CleanUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            return null;
        }

        // A query string may hold anything, a secret included: it is never stored.
        return Truncate(uri.GetLeftPart(UriPartial.Path), KeyLeak.UrlMaxLength);
    }

    /// <summary>The kind of place a token was found in, as stored: lower case letters, digits and '_', else <c>unknown</c>.</summary>
    public static string CleanSource(string? source)
    {
        var lower = source?.Trim().ToLowerInvariant();
        return lower is not null && SourcePattern().IsMatch(lower) ? lower : "unknown";
    }

    // Every token is hashed under every pepper version, whatever its shape, so the work does not
    // tell well-formed tokens from garbage; only well-formed ones are looked up. Longer inputs are
    // hashed by their first MaxLength characters: what is measured is per token, not per byte.
    private Dictionary<HashKey, List<int>> HashAll(IReadOnlyList<FoundToken> tokens)
    {
        var byHash = new Dictionary<HashKey, List<int>>();
        Span<byte> buffer = stackalloc byte[KeyHasher.HashSize];
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i].Token.AsSpan();
            var wellFormed = ApiKeyToken.TryParse(token, out _);
            var hashed = token.Length <= ApiKeyToken.MaxLength ? token : token[..ApiKeyToken.MaxLength];
            foreach (var version in hasher.Peppers.Versions)
            {
                hasher.Hash(hashed, version, buffer);
                if (wellFormed)
                {
                    var hash = new HashKey(buffer);
                    if (!byHash.TryGetValue(hash, out var positions))
                    {
                        byHash[hash] = positions = [];
                    }

                    positions.Add(i);
                }
            }
        }

        return byHash;
    }

    private async Task<bool[]> ApplyAsync(LeakReporter reporter, IReadOnlyList<FoundToken> tokens, Dictionary<HashKey, List<int>> byHash, CancellationToken cancellationToken)
    {
        var matched = new bool[tokens.Count];
        if (byHash.Count == 0)
        {
            return matched;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var secrets = new List<FoundSecret>();
        foreach (var chunk in byHash.Keys.Select(h => h.ToArray()).Chunk(LookupChunk))
        {
            secrets.AddRange(await db.ApiKeySecrets.AsNoTracking()
                .Where(s => chunk.Contains(s.Hash))
                .Select(s => new FoundSecret(s.Id, s.Hash, s.ApiKeyId, s.Hint, s.RetiresAt))
                .ToListAsync(cancellationToken));
        }

        // The first token (in the report's order) that named each secret says where it was found.
        var firstPosition = new Dictionary<Guid, int>();
        foreach (var secret in secrets)
        {
            var positions = byHash[new HashKey(secret.Hash)];
            foreach (var position in positions)
            {
                matched[position] = true;
            }

            firstPosition[secret.Id] = Math.Min(firstPosition.GetValueOrDefault(secret.Id, int.MaxValue), positions.Min());
        }

        var secretIds = firstPosition.Keys.ToList();
        if (secretIds.Count == 0)
        {
            return matched;
        }

        // Tracked: a token reported before that works again is acted on again, and its row says so.
        var reported = await db.KeyLeaks.Where(l => secretIds.Contains(l.SecretId)).ToDictionaryAsync(l => l.SecretId, cancellationToken);
        var now = time.GetUtcNow();
        var candidates = secrets.DistinctBy(s => s.Id).Where(s => !reported.ContainsKey(s.Id) || s.RetiresAt is null || s.RetiresAt > now).ToList();
        if (candidates.Count == 0)
        {
            return matched;
        }

        var keyIds = candidates.Select(s => s.KeyId).Distinct().ToList();
        var candidateKeys = (await db.ApiKeys.Include(k => k.Secrets).Where(k => keyIds.Contains(k.Id)).ToListAsync(cancellationToken)).ToDictionary(k => k.Id);
        var toAct = candidates.Where(s => candidateKeys.TryGetValue(s.KeyId, out var key) && (!reported.ContainsKey(s.Id) || Works(key, now))).ToList();
        if (toAct.Count == 0)
        {
            return matched;
        }

        var actedOn = toAct.Select(s => s.KeyId).ToHashSet();
        var keys = candidateKeys.Values.Where(k => actedOn.Contains(k.Id)).ToList();
        var organizationIds = keys.Select(k => k.OrganizationId).Distinct().ToList();
        var policies = await db.OrganizationPolicies.AsNoTracking().Where(p => organizationIds.Contains(p.OrganizationId)).ToListAsync(cancellationToken);
        var responses = policies.ToDictionary(p => p.OrganizationId, p => p.Threats?.ReportedLeaks ?? LeakResponse.Revoke);
        var memberOf = reporter is LeakReporter.PortalUser person
            ? (await db.Memberships.AsNoTracking().Where(m => m.UserId == person.Caller.UserId && organizationIds.Contains(m.OrganizationId)).Select(m => m.OrganizationId).ToListAsync(cancellationToken)).ToHashSet()
            : [];

        // Read once per organization, not per key: a report may hold hundreds of one organization's tokens.
        var admins = (await db.Memberships.AsNoTracking()
                .Where(m => organizationIds.Contains(m.OrganizationId) && m.Role >= OrganizationRole.Admin)
                .Select(m => new { m.OrganizationId, m.UserId })
                .ToListAsync(cancellationToken))
            .ToLookup(m => m.OrganizationId, m => m.UserId);
        var withWebhook = (await db.WebhookEndpoints.AsNoTracking().Where(w => organizationIds.Contains(w.OrganizationId)).Select(w => w.OrganizationId).ToListAsync(cancellationToken)).ToHashSet();

        var stopped = new List<(ApiKey Key, KeyLeakOutcome Outcome)>();
        foreach (var key in keys)
        {
            var leaks = toAct.Where(s => s.KeyId == key.Id).ToList();
            var response = responses.GetValueOrDefault(key.OrganizationId, LeakResponse.Revoke);
            var outcome = Decide(key.Status, response, leaks.Any(s => s.RetiresAt is null || s.RetiresAt > now));
            var where = tokens[leaks.Min(s => firstPosition[s.Id])];
            var url = CleanUrl(where.Url);
            var source = reporter is LeakReporter.PortalUser ? "portal" : CleanSource(where.Source);
            var actor = Actor(reporter, key.OrganizationId, memberOf);
            var audit = new AuditTrail(db, time);
            var told = key.Status is not (KeyStatus.Revoked or KeyStatus.Expired);
            var again = leaks.Any(s => reported.ContainsKey(s.Id));

            foreach (var leak in leaks)
            {
                var leakSource = reporter is LeakReporter.PortalUser ? "portal" : CleanSource(tokens[firstPosition[leak.Id]].Source);
                var row = reported.GetValueOrDefault(leak.Id)
                    ?? db.KeyLeaks.Add(new KeyLeak { OrganizationId = key.OrganizationId, KeyId = key.Id, SecretId = leak.Id, Source = leakSource, Reporter = ReporterName(reporter) }).Entity;
                row.Url = CleanUrl(tokens[firstPosition[leak.Id]].Url);
                row.Source = leakSource;
                row.Reporter = ReporterName(reporter);
                row.Outcome = outcome;
                row.ReportedAt = now;
                audit.Record(actor, AuditActions.KeyLeaked, key.OrganizationId, "key", key.Id.ToString(), key.Name,
                    new { token = leak.Hint, source, url, reporter = ReporterName(reporter), outcome = Word(outcome), notified = told, reportedBefore = reported.ContainsKey(leak.Id) });
            }

            var message = Truncate(Message(key, leaks, url, outcome, again), Notification.MessageMaxLength);
            if (told)
            {
                await NotifyAsync(db, key, admins[key.OrganizationId], message, now, cancellationToken);
                if (withWebhook.Contains(key.OrganizationId))
                {
                    WebhookDispatch.Enqueue(db, key.OrganizationId, NotificationKinds.KeyLeaked, new
                    {
                        keyId = key.Id,
                        organizationId = key.OrganizationId,
                        ownerId = key.OwnerId,
                        name = key.Name,
                        hint = key.Hint,
                        tokens = leaks.Select(s => s.Hint).ToList(),
                        source,
                        url,
                        outcome = Word(outcome),
                        reportedAt = now,
                        message,
                    }, now);
                }
            }

            switch (outcome)
            {
                case KeyLeakOutcome.Revoked:
                    key.Status = KeyStatus.Revoked;
                    key.RevokedAt = now;
                    audit.Record(actor, AuditActions.KeyRevoked, key.OrganizationId, "key", key.Id.ToString(), key.Name, new { cause = "leak report" });
                    break;
                case KeyLeakOutcome.Suspended:
                    key.Status = KeyStatus.Suspended;
                    audit.Record(actor, AuditActions.KeySuspended, key.OrganizationId, "key", key.Id.ToString(), key.Name, new { cause = "leak report" });
                    break;
            }

            if (outcome != KeyLeakOutcome.None)
            {
                key.UpdatedAt = now;
            }

            // Changed even when nothing else is: a lift of the suspension or a rotation racing this
            // report then fails on the stamp and reads again, so it sees the reported token.
            key.ConcurrencyStamp = Guid.NewGuid();

            stopped.Add((key, outcome));
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var (key, outcome) in stopped)
        {
            if (outcome != KeyLeakOutcome.None)
            {
                changes.Publish(KeyChange.Of(key));
            }

            _matches.Add(1, new KeyValuePair<string, object?>("outcome", Word(outcome)));
            LogLeaked(logger, key.Id, key.OrganizationId, ReporterName(reporter), Word(outcome));
        }

        return matched;
    }

    /// <summary>Whether the key lets its unretired tokens in now: a token of it reported before is then acted on again.</summary>
    private static bool Works(ApiKey key, DateTimeOffset now) => key.Status == KeyStatus.Active && !(key.ExpiresAt <= now);

    /// <summary>What a report of a token (a first one, or one of a token that works again) does to its key.</summary>
    private static KeyLeakOutcome Decide(KeyStatus status, LeakResponse response, bool tokenStillWorks) => status switch
    {
        // Revoked and expired are final: nothing left to stop.
        KeyStatus.Revoked or KeyStatus.Expired => KeyLeakOutcome.None,
        // A rotated-out token whose grace ended opens nothing: the key's current token was not seen.
        _ when !tokenStillWorks => KeyLeakOutcome.None,
        _ when response == LeakResponse.Revoke => KeyLeakOutcome.Revoked,
        // Suspended or disabled keys already refuse every request; a suspension is lifted only by an admin.
        KeyStatus.Suspended or KeyStatus.Disabled => KeyLeakOutcome.None,
        _ => KeyLeakOutcome.Suspended,
    };

    // The owner's notification names the key; the admins' do not, since (key, kind, due) is unique.
    // Two reports of one key at the same instant tell the owner once.
    private static async Task NotifyAsync(PortalDbContext db, ApiKey key, IEnumerable<Guid> admins, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ownerTold = await db.Notifications.AnyAsync(n => n.KeyId == key.Id && n.Kind == NotificationKinds.KeyLeaked && n.DueAt == now, cancellationToken);
        if (ownerTold)
        {
            return;
        }

        db.Notifications.Add(new Notification
        {
            UserId = key.OwnerId,
            OrganizationId = key.OrganizationId,
            KeyId = key.Id,
            Kind = NotificationKinds.KeyLeaked,
            DueAt = now,
            Message = message,
            CreatedAt = now,
        });
        foreach (var admin in admins.Where(a => a != key.OwnerId))
        {
            db.Notifications.Add(new Notification
            {
                UserId = admin,
                OrganizationId = key.OrganizationId,
                Kind = NotificationKinds.KeyLeaked,
                DueAt = now,
                Message = message,
                CreatedAt = now,
            });
        }
    }

    /// <summary>
    /// Who the organization's audit trail names: a portal user only in organizations they belong
    /// to; another organization's trail learns nothing about them (not even their address).
    /// </summary>
    private static Caller Actor(LeakReporter reporter, Guid organizationId, HashSet<Guid> memberOf) => reporter switch
    {
        LeakReporter.PortalUser person when memberOf.Contains(organizationId) => person.Caller,
        LeakReporter.PortalUser => new Caller(Guid.Empty, "a portal user", Channels.Portal),
        _ => new Caller(Guid.Empty, ReporterName(reporter), Channels.Api),
    };

    private static string ReporterName(LeakReporter reporter) => reporter switch
    {
        LeakReporter.Scanner scanner => Truncate($"secret scanner (key {(scanner.KeyIdentifier.Length <= 16 ? scanner.KeyIdentifier : scanner.KeyIdentifier[..16] + "…")})", KeyLeak.ReporterMaxLength),
        _ => "portal",
    };

    // Says only what the reader can do: a suspended key can be rotated (its old tokens stop at once),
    // and its suspension can be lifted only after that; a disabled key cannot be rotated.
    private static string Message(ApiKey key, List<FoundSecret> leaks, string? url, KeyLeakOutcome outcome, bool again)
    {
        var tokens = string.Join(", ", leaks.Select(s => s.Hint));
        var found = $"A token of key “{key.Name}” ({tokens}) was reported found in public" + (url is null ? "." : $" at {url}.")
            + (again ? " It had been reported before, and it worked again." : "");
        return found + " " + outcome switch
        {
            KeyLeakOutcome.Revoked => "The key was revoked: create a new key and replace the token wherever it is used.",
            KeyLeakOutcome.Suspended => "The key was suspended: rotate it (the old token stops at once), then an admin can lift the suspension.",
            _ when key.Status == KeyStatus.Suspended => "The key was already suspended: rotate it (the old token stops at once), then an admin can lift the suspension.",
            _ when key.Status == KeyStatus.Disabled => "The key was already disabled and refuses every request: create a new key instead of using this one again.",
            _ => "That token had already stopped working, so nothing was changed; check that it was not used before it stopped.",
        };
    }

    private static string Word(KeyLeakOutcome outcome) => outcome switch
    {
        KeyLeakOutcome.Revoked => "revoked",
        KeyLeakOutcome.Suspended => "suspended",
        _ => "none",
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$")]
    private static partial Regex SourcePattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key {KeyId} of organization {OrganizationId} was reported leaked by {Reporter}; done: {Outcome}.")]
    private static partial void LogLeaked(ILogger logger, Guid keyId, Guid organizationId, string reporter, string outcome);

    private sealed record FoundSecret(Guid Id, byte[] Hash, Guid KeyId, string Hint, DateTimeOffset? RetiresAt);
}
