using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Names;
using Portal.Core.Organizations;
using Portal.Core.Permissions;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Core.Keys;

/// <summary>
/// The key lifecycle: create, list, get, update, rotate, revoke. Every call checks the caller's
/// organization and role; a key the caller may not see is reported as absent, never as forbidden,
/// so ids cannot be probed across tenants. Tokens are returned once and never stored or logged.
/// </summary>
public sealed class KeyCatalog(
    PortalDbContext db,
    OrganizationAccess access,
    PermissionEvaluator permissions,
    AuditTrail audit,
    KeyHasher hasher,
    KeyChangeFeed changes,
    GrantCheck grantCheck,
    Quotas quotas,
    IOptions<KeyOptions> options,
    TimeProvider time)
{
    public const int MaxPageSize = 100;

    /// <summary>
    /// Creates a key in the caller's organization (or the one named) with what the command gives,
    /// checked against the caller's role and the organization's policies; the token is returned once.
    /// </summary>
    public async Task<IssuedKey> CreateAsync(Caller caller, CreateKeyCommand command, CancellationToken cancellationToken = default)
    {
        var organizationId = command.OrganizationId ?? await access.DefaultOrganizationAsync(caller, cancellationToken);
        var now = time.GetUtcNow();
        var standing = await permissions.StandingAsync(caller, organizationId, cancellationToken);
        var permission = PermissionRules.Decide(caller, standing, PortalAction.CreateKey, caller.UserId, now);
        if (permission.Outcome == PermissionOutcome.Hidden || standing.Role is not { } role)
        {
            throw new InvalidRequestException("organizationId", "The organization does not exist or you are not a member of it.");
        }

        permission.ThrowIfRefused();
        var errors = new Dictionary<string, string[]>();
        var name = CheckName(command.Name, errors);
        CheckDescription(command.Description, errors);
        var sets = await CheckAccessAsync(organizationId, role, command.Scopes, command.Grants, command.Schedule, command.PermissionSetIds, errors, cancellationToken);
        var apiIds = await CheckApisAsync(organizationId, command.Environment, command.ApiIds, errors, cancellationToken);
        CheckExpiry(command.ExpiresAt, now, errors);
        if (!Enum.IsDefined(command.Environment))
        {
            errors["environment"] = ["Environment must be 'test' or 'live'."];
        }

        var policy = await OrganizationPolicies.ForOrganizationAsync(db, organizationId, cancellationToken);
        KeyPolicyRules.CheckLiveCreator(policy, role, command.Environment, errors);
        KeyPolicyRules.CheckLifetime(policy, command.ExpiresAt, now, errors);
        var protections = ProtectionRules.Check(command.Protections, quotaAllowed: true, errors);
        KeyPolicyRules.CheckAllowlist(policy, command.Environment, protections, errors);
        InvalidRequestException.ThrowIfAny(errors);
        if (await ActingKeyAsync(caller, cancellationToken) is { } acting)
        {
            var wanted = new KeyShape(KeyAttenuation.GrantsOf(Scope.Normalize(command.Scopes), command.Grants ?? [], sets ?? []), command.Schedule, command.ExpiresAt, apiIds ?? [], command.Environment, protections);
            RefuseEscalation(acting, wanted);
        }

        await EnsureNameFreeAsync(caller.UserId, name, exceptKeyId: null, cancellationToken);
        await quotas.EnsureKeyAllowedAsync(organizationId, cancellationToken);

        var token = ApiKeyToken.Generate(PrefixFor(command.Environment));
        var key = new ApiKey
        {
            OrganizationId = organizationId,
            OwnerId = caller.UserId,
            Name = name,
            Description = Input.Blank(command.Description),
            Environment = command.Environment,
            Status = KeyStatus.Active,
            Scopes = [.. Scope.Normalize(command.Scopes)],
            Grants = [.. command.Grants ?? []],
            Schedule = command.Schedule,
            PermissionSets = sets ?? [],
            ApiIds = apiIds ?? [],
            Protections = protections,
            QuotaRemaining = protections.Quota?.Remaining,
            QuotaAsOf = protections.Quota is null ? null : now,
            QuotaStamp = protections.Quota is null ? null : Guid.NewGuid(),
            Hint = ApiKeyToken.Hint(token),
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = command.ExpiresAt?.ToUniversalTime(),
        };
        key.Secrets.Add(NewSecret(token, now));
        db.ApiKeys.Add(key);
        audit.Record(caller, AuditActions.KeyCreated, organizationId, "key", key.Id.ToString(), name,
            new { key.Environment, key.Scopes, key.Grants, key.Schedule, permissionSets = Describe(key.PermissionSets), apiIds = Describe(key.ApiIds), key.ExpiresAt, key.Hint, protections = Describe(key.Protections) });
        await SaveAsync(cancellationToken);
        return new IssuedKey(key, token);
    }

    /// <summary>A page of the keys the caller may see in one organization, newest first (keyset paging, no count).</summary>
    public async Task<KeyPage> ListAsync(Caller caller, KeyQuery query, CancellationToken cancellationToken = default)
    {
        if (query.Limit is < 1 or > MaxPageSize)
        {
            throw new InvalidRequestException("limit", $"Limit must be between 1 and {MaxPageSize}.");
        }

        var organizationId = query.OrganizationId ?? await access.DefaultOrganizationAsync(caller, cancellationToken);
        if (await VisibleAsync(caller, organizationId, query.Search, query.Status, cancellationToken) is not { } keys)
        {
            // Not a member: an empty page, exactly as for an organization with no keys.
            return new KeyPage([], null);
        }

        if (query.Cursor is not null)
        {
            var (createdAt, id) = KeysetCursor.Decode(query.Cursor);
            keys = keys.Where(k => k.CreatedAt < createdAt || (k.CreatedAt == createdAt && k.Id.CompareTo(id) < 0));
        }

        var page = await keys.Include(k => k.PermissionSets)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)
            .Take(query.Limit + 1)
            .ToListAsync(cancellationToken);
        string? next = null;
        if (page.Count > query.Limit)
        {
            page.RemoveAt(page.Count - 1);
            next = new KeysetCursor(page[^1].CreatedAt, page[^1].Id).Encode();
        }

        return new KeyPage(page, next);
    }

    /// <summary>
    /// A page of the keys the caller may see, in any order (the portal's grid). Offset paging over
    /// the organization's indexes; one extra row is read instead of counting them all.
    /// </summary>
    public async Task<KeyListPage> ListPageAsync(Caller caller, KeyListQuery query, CancellationToken cancellationToken = default)
    {
        if (query.Limit is < 1 or > MaxPageSize || query.Offset < 0)
        {
            throw new InvalidRequestException("limit", $"Limit must be between 1 and {MaxPageSize}, offset not negative.");
        }

        if (await VisibleAsync(caller, query.OrganizationId, query.Search, query.Status, cancellationToken) is not { } keys)
        {
            return new KeyListPage([], false);
        }

        // Id breaks ties so that pages never overlap or skip rows.
        keys = (query.Sort, query.Descending) switch
        {
            (KeySort.Name, false) => keys.OrderBy(k => k.Name).ThenBy(k => k.Id),
            (KeySort.Name, true) => keys.OrderByDescending(k => k.Name).ThenByDescending(k => k.Id),
            (KeySort.ExpiresAt, false) => keys.OrderBy(k => k.ExpiresAt).ThenBy(k => k.Id),
            (KeySort.ExpiresAt, true) => keys.OrderByDescending(k => k.ExpiresAt).ThenByDescending(k => k.Id),
            (KeySort.LastUsedAt, false) => keys.OrderBy(k => k.LastUsedAt).ThenBy(k => k.Id),
            (KeySort.LastUsedAt, true) => keys.OrderByDescending(k => k.LastUsedAt).ThenByDescending(k => k.Id),
            (_, false) => keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id),
            _ => keys.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id),
        };

        var rows = await keys
            .Skip(query.Offset)
            .Take(query.Limit + 1)
            .Select(k => new KeyListItem(k.Id, k.Name, k.Hint, k.Environment, k.Status, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.OwnerId, k.Owner!.Email))
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > query.Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        return new KeyListPage(rows, hasMore);
    }

    /// <summary>The key with its token history, or null when it does not exist or the caller may not see it.</summary>
    public async Task<ApiKey?> FindAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.AsNoTracking().Include(k => k.Secrets).Include(k => k.PermissionSets).AsSplitQuery().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        return key is not null && await CanSeeAsync(caller, key, cancellationToken) ? key : null;
    }

    /// <summary>
    /// Changes what the command names and leaves the rest; this node's caches drop the key at once.
    /// Null when the key does not exist or the caller may not see it.
    /// </summary>
    public async Task<ApiKey?> UpdateAsync(Caller caller, Guid id, UpdateKeyCommand command, CancellationToken cancellationToken = default)
    {
        var key = await FindForChangeAsync(caller, id, cancellationToken);
        if (key is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var name = command.Name is null ? key.Name : CheckName(command.Name, errors);
        if (command.Description is not null)
        {
            CheckDescription(command.Description, errors);
        }

        // A key holds at most what its owner's role may give, whoever edits it: an admin editing a
        // developer's key cannot put admin actions on it.
        var editorRole = (await permissions.StandingAsync(caller, key.OrganizationId, cancellationToken)).Role ?? OrganizationRole.Viewer;
        var ownerRole = key.OwnerId == caller.UserId ? editorRole : await permissions.MemberRoleAsync(key.OwnerId, key.OrganizationId, cancellationToken) ?? OrganizationRole.Viewer;
        var role = editorRole < ownerRole ? editorRole : ownerRole;
        var sets = await CheckAccessAsync(key.OrganizationId, role, command.Scopes, command.Grants, command.Schedule, command.PermissionSetIds, errors, cancellationToken, key);
        if (ownerRole < editorRole)
        {
            // The editor may give it; the owner may not hold it. Say which, or an admin reads "only admins" and wonders.
            foreach (var field in errors.Keys.Where(f => f.StartsWith("scopes", StringComparison.Ordinal) || f.StartsWith("grants", StringComparison.Ordinal) || f == "permissionSets").ToList())
            {
                errors[field] = [.. errors[field].Select(m => m.StartsWith("Only organization admins", StringComparison.Ordinal)
                    ? $"{m} The key's owner is a {ownerRole.ToString().ToLowerInvariant()}, and a key holds at most what its owner's role may give."
                    : m)];
            }
        }

        var apiIds = await CheckApisAsync(key.OrganizationId, key.Environment, command.ApiIds, errors, cancellationToken);
        if (command.Schedule is not null && command.RemoveSchedule)
        {
            errors["schedule"] = ["Give either schedule or removeSchedule, not both."];
        }

        if (command.ExpiresAt is not null && command.RemoveExpiry)
        {
            errors["expiresAt"] = ["Give either expiresAt or removeExpiry, not both."];
        }

        CheckExpiry(command.ExpiresAt, now, errors);
        var protections = command.Protections is not { IsEmpty: false } change ? null : ProtectionRules.Check(change.ApplyTo(key.Protections), quotaAllowed: true, errors);
        if (command.ExpiresAt is not null || command.RemoveExpiry || protections is not null)
        {
            var policy = await OrganizationPolicies.ForOrganizationAsync(db, key.OrganizationId, cancellationToken);
            // Measured from the key's creation: moving the expiry forward again and again cannot outlive the policy.
            if (command.ExpiresAt is not null || command.RemoveExpiry)
            {
                KeyPolicyRules.CheckLifetime(policy, command.RemoveExpiry ? null : command.ExpiresAt, key.CreatedAt, errors);
            }

            if (protections is not null)
            {
                KeyPolicyRules.CheckAllowlist(policy, key.Environment, protections, errors);
            }
        }

        InvalidRequestException.ThrowIfAny(errors);
        if (protections is not null && !SameLimits(protections, key.Protections))
        {
            await permissions.RequireAsync(caller, PortalAction.SetKeyLimits, key.OrganizationId, key.OwnerId, "rateLimits", cancellationToken);
        }

        if (key.Status is KeyStatus.Revoked or KeyStatus.Expired)
        {
            throw new ConflictException("status", $"The key is {key.Status.ToString().ToLowerInvariant()} and cannot be changed.");
        }

        if (await ActingKeyAsync(caller, cancellationToken) is { } acting)
        {
            var changesAccess = command.Scopes is not null || command.Grants is not null || command.Schedule is not null || command.RemoveSchedule
                || sets is not null || apiIds is not null || command.ExpiresAt is not null || command.RemoveExpiry || protections is not null;
            if (acting.Id == key.Id && changesAccess)
            {
                throw new AccessDeniedException("A key cannot change its own scopes, grants, schedule, permission sets, APIs, expiry or protections; use the portal or another key.");
            }

            var wanted = new KeyShape(
                KeyAttenuation.GrantsOf(command.Scopes is null ? key.Scopes : Scope.Normalize(command.Scopes), command.Grants ?? key.Grants, sets ?? key.PermissionSets),
                command.RemoveSchedule ? null : command.Schedule ?? key.Schedule,
                command.RemoveExpiry ? null : command.ExpiresAt ?? key.ExpiresAt,
                apiIds ?? key.ApiIds,
                key.Environment,
                protections ?? key.Protections);
            if (acting.Id != key.Id)
            {
                RefuseEscalation(acting, wanted);
            }
        }

        if (name != key.Name)
        {
            await EnsureNameFreeAsync(key.OwnerId, name, key.Id, cancellationToken);
        }

        var before = new { key.Name, key.Description, key.Scopes, key.Grants, key.Schedule, permissionSets = Describe(key.PermissionSets), apiIds = Describe(key.ApiIds), key.ExpiresAt, protections = Describe(key.Protections) };
        key.Name = name;
        if (command.Description is not null)
        {
            key.Description = Input.Blank(command.Description);
        }

        if (command.Scopes is not null)
        {
            key.Scopes = [.. Scope.Normalize(command.Scopes)];
        }

        if (command.Grants is not null)
        {
            key.Grants = [.. command.Grants];
        }

        if (command.Schedule is not null || command.RemoveSchedule)
        {
            key.Schedule = command.Schedule;
        }

        if (sets is not null)
        {
            key.PermissionSets.Clear();
            key.PermissionSets.AddRange(sets);
        }

        if (apiIds is not null)
        {
            // A new list, so the change tracker sees the column change whatever the provider.
            key.ApiIds = apiIds;
        }

        if (command.ExpiresAt is { } expiresAt)
        {
            key.ExpiresAt = expiresAt.ToUniversalTime();
        }
        else if (command.RemoveExpiry)
        {
            key.ExpiresAt = null;
        }

        if (protections is not null)
        {
            // Setting a quota sets its count; saving the same quota again leaves the running count alone.
            if (protections.Quota != key.Protections.Quota)
            {
                key.QuotaRemaining = protections.Quota?.Remaining;
                key.QuotaAsOf = protections.Quota is null ? null : now;
                key.QuotaStamp = protections.Quota is null ? null : Guid.NewGuid();
            }

            key.Protections = protections;
        }

        key.UpdatedAt = now;
        key.ConcurrencyStamp = Guid.NewGuid();
        audit.Record(caller, AuditActions.KeyUpdated, key.OrganizationId, "key", key.Id.ToString(), key.Name,
            new { before, after = new { key.Name, key.Description, key.Scopes, key.Grants, key.Schedule, permissionSets = Describe(key.PermissionSets), apiIds = Describe(key.ApiIds), key.ExpiresAt, protections = Describe(key.Protections) } });
        await SaveAsync(cancellationToken);
        changes.Publish(KeyChange.Of(key));
        return key;
    }

    /// <summary>
    /// Gives the key a new token. The old token keeps working for <paramref name="requestedGrace"/>
    /// (zero ends it now; null takes the organization's default grace, else zero). A suspended key
    /// may be rotated too (the way out of a leak): it stays suspended, and every token it had stops at
    /// once whatever grace was asked, since a suspended key's tokens may be in other hands.
    /// Returns null when the caller may not see the key; 409 (<see cref="ConflictException"/> on
    /// <c>status</c>) for a revoked, expired or disabled key.
    /// </summary>
    public async Task<IssuedKey?> RotateAsync(Caller caller, Guid id, TimeSpan? requestedGrace, CancellationToken cancellationToken = default)
    {
        if (requestedGrace is { } asked && (asked < TimeSpan.Zero || asked > options.Value.MaxRotationGrace))
        {
            throw new InvalidRequestException("gracePeriod", $"The grace period must be between 0 and {options.Value.MaxRotationGrace.TotalDays:0} days.");
        }

        var key = await FindForChangeAsync(caller, id, cancellationToken);
        if (key is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (key.Status is not (KeyStatus.Active or KeyStatus.Suspended) || key.ExpiresAt <= now)
        {
            throw new ConflictException("status", "Only an active or suspended key can be rotated.");
        }

        var policy = await OrganizationPolicies.ForOrganizationAsync(db, key.OrganizationId, cancellationToken);
        // A suspended key was stopped because a token of it was seen where it should not be: giving
        // that token a grace would let it work again the moment the suspension is lifted.
        var suspended = key.Status == KeyStatus.Suspended;
        var grace = suspended ? TimeSpan.Zero : KeyPolicyRules.ResolveGrace(policy, requestedGrace);
        var errors = new Dictionary<string, string[]>();
        KeyPolicyRules.CheckLifetime(policy, key.ExpiresAt, key.CreatedAt, errors);
        InvalidRequestException.ThrowIfAny(errors);

        // The new token is returned: through a key, only for a key that holds no more than the acting one.
        var acting = await ActingKeyAsync(caller, cancellationToken);
        if (acting is not null && acting.Id != key.Id)
        {
            RefuseEscalation(acting, KeyAttenuation.ShapeOf(key));
        }

        var retiresAt = now + grace;
        foreach (var secret in key.Secrets)
        {
            if (secret.RetiresAt is null || secret.RetiresAt > retiresAt)
            {
                secret.RetiresAt = retiresAt;
            }
        }

        var token = ApiKeyToken.Generate(PrefixFor(key.Environment));
        var fresh = NewSecret(token, now);
        fresh.ApiKeyId = key.Id;
        db.ApiKeySecrets.Add(fresh);
        var oldHint = key.Hint;
        key.Hint = fresh.Hint;
        key.UpdatedAt = now;
        key.ConcurrencyStamp = Guid.NewGuid();
        audit.Record(caller, AuditActions.KeyRotated, key.OrganizationId, "key", key.Id.ToString(), key.Name,
            new { oldHint, newHint = key.Hint, gracePeriod = grace, oldTokenRetiresAt = retiresAt, suspended, ownerId = key.OwnerId, actingKeyId = caller.KeyId });
        await SaveAsync(cancellationToken);
        changes.Publish(KeyChange.Of(key));
        return new IssuedKey(key, token, retiresAt);
    }

    /// <summary>Revokes the key; every token of it is refused from the next request on. Idempotent.</summary>
    public async Task<ApiKey?> RevokeAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var key = await FindForChangeAsync(caller, id, cancellationToken);
        if (key is null || key.Status == KeyStatus.Revoked)
        {
            return key;
        }

        var now = time.GetUtcNow();
        key.Status = KeyStatus.Revoked;
        key.RevokedAt = now;
        key.UpdatedAt = now;
        key.ConcurrencyStamp = Guid.NewGuid();
        audit.Record(caller, AuditActions.KeyRevoked, key.OrganizationId, "key", key.Id.ToString(), key.Name);
        await SaveAsync(cancellationToken);
        changes.Publish(KeyChange.Of(key));
        return key;
    }

    /// <summary>
    /// Makes a suspended key active again (after a leaked-key signal was looked into); null when the
    /// caller may not see the key. Admins only; 409 (<see cref="ConflictException"/> on <c>status</c>)
    /// when the key is not suspended, or while a token of it that was reported found in public
    /// (a <see cref="Leaks.KeyLeak"/>) still works: lifting would let the leaked token in again, so
    /// the key must be rotated first (which retires a suspended key's tokens at once).
    /// </summary>
    public async Task<ApiKey?> LiftSuspensionAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.Include(k => k.Secrets).Include(k => k.PermissionSets).AsSplitQuery().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !await permissions.CheckAsync(caller, PortalAction.ViewKey, key.OrganizationId, key.OwnerId, cancellationToken))
        {
            return null;
        }

        await permissions.RequireAsync(caller, PortalAction.LiftSuspension, key.OrganizationId, key.OwnerId, "status", cancellationToken);
        if (key.Status != KeyStatus.Suspended)
        {
            throw new ConflictException("status", $"The key is {key.Status.ToString().ToLowerInvariant()}, not suspended.");
        }

        var now = time.GetUtcNow();
        await RefuseWhileALeakedTokenWorksAsync(key, now, cancellationToken);
        key.Status = KeyStatus.Active;
        key.UpdatedAt = now;
        key.ConcurrencyStamp = Guid.NewGuid();
        audit.Record(caller, AuditActions.KeySuspensionLifted, key.OrganizationId, "key", key.Id.ToString(), key.Name);
        await SaveAsync(cancellationToken);
        changes.Publish(KeyChange.Of(key));
        return key;
    }

    /// <summary>
    /// Refuses to lift a suspension while a reported token of the key still works. A leak report and
    /// a lift racing each other meet on the key's concurrency stamp (a report changes it), so one of
    /// them reads again and sees the other.
    /// </summary>
    private async Task RefuseWhileALeakedTokenWorksAsync(ApiKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var working = key.Secrets.Where(s => s.RetiresAt is null || s.RetiresAt > now).ToList();
        var workingIds = working.Select(s => s.Id).ToList();
        var leaked = await db.KeyLeaks.AsNoTracking().Where(l => l.KeyId == key.Id && workingIds.Contains(l.SecretId)).Select(l => l.SecretId).ToListAsync(cancellationToken);
        if (leaked.Count == 0)
        {
            return;
        }

        throw new ConflictException("status", working.Any(s => s.RetiresAt is null && leaked.Contains(s.Id))
            ? "The reported token is still the key's current token: rotate the key first (the old token stops at once), then lift the suspension."
            : "A reported token of this key still works in its rotation grace period: rotate the key again first (a suspended key's old tokens stop at once), then lift the suspension.");
    }

    private async Task<ApiKey?> FindForChangeAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.Include(k => k.Secrets).Include(k => k.PermissionSets).AsSplitQuery().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return null;
        }

        return await permissions.CheckAsync(caller, PortalAction.ChangeKey, key.OrganizationId, key.OwnerId, cancellationToken) ? key : null;
    }

    /// <summary>
    /// The organization's keys the caller may see (a developer only their own), filtered by name or
    /// hint and status; null when the caller is not a member.
    /// </summary>
    private async Task<IQueryable<ApiKey>?> VisibleAsync(Caller caller, Guid organizationId, string? search, KeyStatus? status, CancellationToken cancellationToken)
    {
        var view = await permissions.KeyViewAsync(caller, organizationId, cancellationToken);
        if (view == KeyView.None)
        {
            return null;
        }

        var keys = db.ApiKeys.AsNoTracking().Where(k => k.OrganizationId == organizationId);
        if (view == KeyView.Own)
        {
            keys = keys.Where(k => k.OwnerId == caller.UserId);
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            // Stored names are in the name rule's form, so the search text is put in it too (café typed
            // either way finds the key). Names refuse control characters, so no search with one can
            // match; PostgreSQL would refuse a NUL with an error.
            var text = DisplayName.Normalize(search);
            if (text.Length > ApiKey.NameMaxLength || text.Any(char.IsControl))
            {
                throw new InvalidRequestException("search", $"Search for at most {ApiKey.NameMaxLength} characters, without control characters.");
            }

            keys = keys.Where(k => k.Name.Contains(text) || k.Hint.StartsWith(text));
        }

        return status is { } wanted ? keys.Where(k => k.Status == wanted) : keys;
    }

    private Task<bool> CanSeeAsync(Caller caller, ApiKey key, CancellationToken cancellationToken) =>
        permissions.MayAsync(caller, PortalAction.ViewKey, key.OrganizationId, key.OwnerId, cancellationToken);

    /// <summary>The key a call came through, as stored now (its grants, sets, schedule, expiry), or null for a person.</summary>
    private async Task<ApiKey?> ActingKeyAsync(Caller caller, CancellationToken cancellationToken) =>
        caller.KeyId is { } id
            ? await db.ApiKeys.AsNoTracking().Include(k => k.PermissionSets).FirstOrDefaultAsync(k => k.Id == id, cancellationToken)
                ?? throw new AccessDeniedException("The key you are using no longer exists.")
            : null;

    private static void RefuseEscalation(ApiKey acting, KeyShape wanted)
    {
        if (KeyAttenuation.Exceeds(acting, wanted) is { } reason)
        {
            throw new AccessDeniedException(reason, ReasonCodes.InsufficientScope);
        }
    }

    private async Task EnsureNameFreeAsync(Guid ownerId, string name, Guid? exceptKeyId, CancellationToken cancellationToken)
    {
        if (await db.ApiKeys.AnyAsync(k => k.OwnerId == ownerId && k.Name == name && k.Id != exceptKeyId, cancellationToken))
        {
            throw new ConflictException("name", $"You already have a key named '{name}'.");
        }
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("key", "The key was changed by someone else; reload it and try again.");
        }
        catch (DbUpdateException) when (db.ChangeTracker.Entries<ApiKey>().Any())
        {
            // The unique (owner, name) index caught a race the pre-check could not.
            throw new ConflictException("name", "A key with this name already exists.");
        }
    }

    private ApiKeySecret NewSecret(string token, DateTimeOffset now) => new()
    {
        Hash = hasher.Hash(token),
        PepperVersion = hasher.Peppers.CurrentVersion,
        Hint = ApiKeyToken.Hint(token),
        CreatedAt = now,
    };

    private string PrefixFor(KeyEnvironment environment) =>
        environment == KeyEnvironment.Live ? options.Value.LivePrefix : options.Value.TestPrefix;

    private static string CheckName(string? name, Dictionary<string, string[]> errors) =>
        DisplayName.Check(name, ApiKey.NameMaxLength, "name", errors);

    // Line breaks and tabs are text; a NUL is refused by PostgreSQL and would answer 500.
    private static void CheckDescription(string? description, Dictionary<string, string[]> errors) =>
        DisplayName.CheckText(description, ApiKey.DescriptionMaxLength, "description", errors);

    /// <summary>
    /// Checks scopes, grants, schedule and permission sets against the catalog and the caller's role
    /// (no escalation); returns the named sets, or null when none were named.
    /// </summary>
    private async Task<List<PermissionSet>?> CheckAccessAsync(
        Guid organizationId,
        OrganizationRole role,
        IReadOnlyList<string>? scopes,
        IReadOnlyList<Grant>? grants,
        AccessSchedule? schedule,
        IReadOnlyList<Guid>? setIds,
        Dictionary<string, string[]> errors,
        CancellationToken cancellationToken,
        ApiKey? existing = null)
    {
        var catalog = await grantCheck.CatalogAsync(organizationId, cancellationToken);
        var heldScopes = existing?.Scopes.ToHashSet(StringComparer.Ordinal) ?? [];
        var heldGrants = existing?.Grants.Select(g => g.Canonical()).ToHashSet(StringComparer.Ordinal) ?? [];
        GrantCheck.Check(catalog, role, scopes, grants, errors, heldScope: heldScopes.Contains, heldGrant: g => heldGrants.Contains(g.Canonical()));
        CompiledSchedule.Validate(schedule, "schedule", errors);
        if (setIds is null)
        {
            return null;
        }

        if (setIds.Count > PermissionSet.MaxPerKey)
        {
            errors["permissionSets"] = [$"A key can reference at most {PermissionSet.MaxPerKey} permission sets."];
            return null;
        }

        var wanted = setIds.Distinct().ToList();
        var sets = await db.PermissionSets.Where(p => p.OrganizationId == organizationId && wanted.Contains(p.Id)).ToListAsync(cancellationToken);
        if (sets.Count != wanted.Count)
        {
            errors["permissionSets"] = ["A permission set does not exist in this organization."];
        }
        else if (sets.FirstOrDefault(p => !RoleRules.MayGive(role, p) && existing?.PermissionSets.Any(e => e.Id == p.Id) != true) is { } powerful)
        {
            errors["permissionSets"] = [$"Only organization admins can assign '{powerful.Name}': it grants admin actions or wildcards."];
        }

        return sets;
    }

    /// <summary>
    /// Checks the APIs a key is limited to: each an API of the key's organization, none twice, at
    /// most <see cref="ApiKey.MaxApis"/> (one read of the organization's API ids, then one pass).
    /// Returns the list to store, or null when none was given. Messages name the id at fault in its
    /// public form, and an API of another organization is reported exactly like an unknown one.
    /// </summary>
    private async Task<List<Guid>?> CheckApisAsync(Guid organizationId, KeyEnvironment environment, IReadOnlyList<Guid>? apiIds, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (apiIds is null)
        {
            return null;
        }

        if (apiIds.Count > ApiKey.MaxApis)
        {
            errors["apiIds"] = [$"A key can be limited to at most {ApiKey.MaxApis} APIs (none: it may call all of the organization's APIs)."];
            return null;
        }

        if (apiIds.Count == 0)
        {
            return [];
        }

        var known = (await db.Apis.AsNoTracking().Where(a => a.OrganizationId == organizationId).ToListAsync(cancellationToken)).ToDictionary(a => a.Id);
        var seen = new HashSet<Guid>();
        foreach (var id in apiIds)
        {
            if (!known.TryGetValue(id, out var api))
            {
                errors["apiIds"] = [$"'{ApiId.Format(id)}' is not an API of this organization."];
                return null;
            }

            // Limited to an API that refuses it, the key would pass no gateway at all.
            if (!api.Accepts(environment))
            {
                errors["apiIds"] = [$"The API '{api.Name}' ({api.PublicId}) does not accept {(environment == KeyEnvironment.Live ? "live" : "test")} keys."];
                return null;
            }

            if (!seen.Add(id))
            {
                errors["apiIds"] = [$"'{ApiId.Format(id)}' is listed more than once."];
                return null;
            }
        }

        return [.. apiIds];
    }

    private static List<string> Describe(List<Guid> apiIds) => [.. apiIds.Select(ApiId.Format)];

    private static RequestProtections? Describe(RequestProtections protections) => protections.IsEmpty ? null : protections;

    // Compared as stored (normalised), so that sending back what a GET showed changes nothing.
    private static bool SameLimits(RequestProtections a, RequestProtections b) =>
        a.Quota == b.Quota && (a.RateLimits ?? []).SequenceEqual(b.RateLimits ?? []);

    private static IEnumerable<object> Describe(IEnumerable<PermissionSet> sets) => sets.Select(p => new { p.Id, p.Name, p.Version }).ToList();

    private static void CheckExpiry(DateTimeOffset? expiresAt, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        if (expiresAt is { } at && at <= now)
        {
            errors["expiresAt"] = ["The expiry must be in the future."];
        }
    }
}
