using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Names;
using Portal.Core.Organizations;
using Portal.Core.Permissions;

namespace Portal.Core.Protections;

/// <summary>A block as the block list shows it.</summary>
/// <param name="TimeLeft">Until it ends by itself, in whole seconds rounded up; null for a manual block without an end.</param>
public sealed record BlockView(
    Guid Id,
    string Network,
    BlockReason Reason,
    string Cause,
    int Strike,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    TimeSpan? TimeLeft,
    Guid? CreatedBy);

/// <summary>
/// The block list of an organization: the blocks in force now, lifting one, adding a manual one.
/// Members who may read the authentication log see the list (<see cref="PortalAction.ViewBlocks"/>);
/// admins and owners change it (<see cref="PortalAction.ManageBlocks"/>; keys need <c>policies:manage</c>).
/// Each change is audited in the same transaction and then loaded into this node's
/// <see cref="ThreatMonitor"/>, so it holds at the next request.
/// </summary>
public sealed class AddressBlocks(PortalDbContext db, PermissionEvaluator permissions, AuditTrail audit, ThreatMonitor monitor, TimeProvider time)
{
    /// <summary>The longest manual block with an end: a year, in minutes.</summary>
    public const int MaxMinutes = 525_600;

    /// <summary>The longest note an admin may give a manual block.</summary>
    public const int NoteMaxLength = 200;

    /// <summary>The blocks in force now, newest first; null when the caller may not see the organization.</summary>
    public async Task<IReadOnlyList<BlockView>?> ListAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await permissions.CheckAsync(caller, PortalAction.ViewBlocks, organizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var blocks = await Active(db, now).Where(b => b.OrganizationId == organizationId).ToListAsync(cancellationToken);
        return [.. blocks.OrderByDescending(b => b.CreatedAt).Select(b => View(b, now))];
    }

    /// <summary>
    /// Blocks <paramref name="network"/> (CIDR or one address; host bits are cleared) at every door
    /// of the organization, for <paramref name="minutes"/> (1 to <see cref="MaxMinutes"/>) or until
    /// lifted when null. Null when the caller may not see the organization.
    /// </summary>
    /// <exception cref="InvalidRequestException">
    /// Under <c>network</c> for text that is no network or one already blocked, <c>minutes</c> out
    /// of range, <c>note</c> too long; nothing is saved.
    /// </exception>
    /// <exception cref="AccessDeniedException">A member who may not manage blocks.</exception>
    public async Task<BlockView?> AddAsync(Caller caller, Guid organizationId, string? network, int? minutes, string? note = null, CancellationToken cancellationToken = default)
    {
        if (!await permissions.CheckAsync(caller, PortalAction.ManageBlocks, organizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        var errors = new Dictionary<string, string[]>();
        var normal = TryNormalise(network, out var text) ? text : null;
        if (normal is null)
        {
            errors["network"] = [$"'{Shorten(network)}' is not an IPv4 or IPv6 network (CIDR such as 203.0.113.0/24 or 2001:db8::/48, or one address)."];
        }

        if (minutes is < 1 or > MaxMinutes)
        {
            errors["minutes"] = [$"A block lasts 1 to {MaxMinutes} minutes, or until lifted when empty."];
        }

        // Other admins read it inside the block's cause: the text rule keeps it from disguising that.
        note = DisplayName.CheckText(note, NoteMaxLength, "note", errors, "Note");

        var now = time.GetUtcNow();
        if (normal is not null && await Active(db, now).AnyAsync(b => b.OrganizationId == organizationId && b.Network == normal, cancellationToken))
        {
            errors["network"] = [$"{normal} is already blocked."];
        }

        InvalidRequestException.ThrowIfAny(errors);
        var block = new AddressBlock
        {
            OrganizationId = organizationId,
            Network = normal!,
            Reason = BlockReason.Manual,
            Cause = note is null ? $"Blocked by {caller.Name}" : $"Blocked by {caller.Name}: {note}",
            CreatedAt = now,
            ExpiresAt = minutes is { } m ? now.AddMinutes(m) : null,
            CreatedBy = caller.UserId == Guid.Empty ? null : caller.UserId,
        };
        if (block.Cause.Length > AddressBlock.CauseMaxLength)
        {
            block.Cause = block.Cause[..AddressBlock.CauseMaxLength];
        }

        db.AddressBlocks.Add(block);
        audit.Record(caller, AuditActions.AddressBlocked, organizationId, "address", block.Network, block.Network,
            new { reason = block.Reason.ToString(), cause = block.Cause, expiresAt = block.ExpiresAt });
        await db.SaveChangesAsync(cancellationToken);
        monitor.CountManualBlock();
        await LoadAsync(db, monitor, now, cancellationToken);
        return View(block, now);
    }

    /// <summary>
    /// Lifts a block in force now. False when there is no such block in the organization (or the
    /// caller may not see it); throws <see cref="AccessDeniedException"/> for a member who may not manage blocks.
    /// </summary>
    public async Task<bool> LiftAsync(Caller caller, Guid organizationId, Guid blockId, CancellationToken cancellationToken = default)
    {
        if (!await permissions.CheckAsync(caller, PortalAction.ManageBlocks, organizationId, cancellationToken: cancellationToken))
        {
            return false;
        }

        var now = time.GetUtcNow();
        var block = await Active(db, now).FirstOrDefaultAsync(b => b.Id == blockId && b.OrganizationId == organizationId, cancellationToken);
        if (block is null)
        {
            return false;
        }

        block.LiftedAt = now;
        block.LiftedBy = caller.UserId == Guid.Empty ? null : caller.UserId;
        audit.Record(caller, AuditActions.AddressUnblocked, organizationId, "address", block.Network, block.Network,
            new { reason = block.Reason.ToString(), cause = block.Cause, block.CreatedAt, block.ExpiresAt });
        await db.SaveChangesAsync(cancellationToken);
        if (SingleAddress(block.Network) is { } address)
        {
            monitor.Unblock(organizationId, address);
        }

        await LoadAsync(db, monitor, now, cancellationToken);
        return true;
    }

    /// <summary>Loads every block in force into the monitor (at start, and after each change on this node).</summary>
    public static async Task LoadAsync(PortalDbContext db, ThreatMonitor monitor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var blocks = await Active(db, now).AsNoTracking()
            .Select(b => new StoredBlock(b.OrganizationId, b.Network, b.ExpiresAt))
            .ToListAsync(cancellationToken);
        monitor.LoadStoredBlocks(blocks);
    }

    /// <summary>
    /// The normal form of a network: host bits cleared, a bare address as /32 or /128, an
    /// IPv4-mapped IPv6 network as IPv4. False for anything else (zones, bad prefix lengths).
    /// </summary>
    /// <remarks>Read by <see cref="NetworkList.Parse"/>, as IP allowlists and deny lists are.</remarks>
    public static bool TryNormalise(string? text, out string normal)
    {
        var errors = new Dictionary<string, string[]>();
        var list = NetworkList.Parse([text], "network", errors);
        normal = errors.Count == 0 && list.Entries.Count == 1 ? list.Entries[0] : "";
        return normal.Length > 0;
    }

    /// <summary>The address of a one-host network (<c>/32</c>, <c>/128</c>), else null.</summary>
    internal static ClientAddress? SingleAddress(string network)
    {
        var slash = network.IndexOf('/');
        if (slash < 0 || network[(slash + 1)..] is not ("32" or "128"))
        {
            return null;
        }

        var address = ClientAddress.Parse(network[..slash]);
        return address.IsKnown && (address.IsV4 ? network.EndsWith("/32", StringComparison.Ordinal) : network.EndsWith("/128", StringComparison.Ordinal)) ? address : null;
    }

    private static IQueryable<AddressBlock> Active(PortalDbContext db, DateTimeOffset now) =>
        db.AddressBlocks.Where(b => b.LiftedAt == null && (b.ExpiresAt == null || b.ExpiresAt > now));

    private static BlockView View(AddressBlock block, DateTimeOffset now) => new(
        block.Id, block.Network, block.Reason, block.Cause, block.Strike, block.CreatedAt, block.ExpiresAt,
        block.ExpiresAt is { } end ? TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, (end - now).TotalSeconds))) : null, block.CreatedBy);

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 60 ? text : text[..60] + "…";
}
