using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Names;

namespace Portal.Core.Organizations;

/// <summary>
/// Creates people: each new user gets a personal organization in the same transaction. The sign-up
/// page goes through <see cref="RegisterAsync"/>, which obeys the platform's registration setting.
/// </summary>
public sealed class UserAccounts(PortalDbContext db, UserManager<PortalUser> users, RoleManager<IdentityRole<Guid>> roles, AuditTrail audit, PlatformRegistration registration, TimeProvider time)
{
    /// <summary>
    /// Self sign-up: creates the account only when registration is open, or when the invitation
    /// token is a pending invitation for this very email (else <see cref="AccessDeniedException"/>).
    /// The address is not confirmed: with mail configured the person confirms it from the link
    /// mailed to it before signing in, and only a confirmed address accepts an invitation.
    /// </summary>
    public async Task<PortalUser> RegisterAsync(string email, string password, string? invitationToken, CancellationToken cancellationToken = default)
    {
        email = EmailAddresses.Require(email);
        await registration.EnsureMaySignUpAsync(email, invitationToken, cancellationToken);
        return await CreateAsync(email, password, actor: null, platformAdministrator: false, emailConfirmed: false, cancellationToken);
    }

    /// <summary>
    /// Creates a user with a password; Identity's password rules apply. No registration check: for
    /// callers that already decided the person may have an account (the setup link, the command line).
    /// The address counts as confirmed: whoever holds the setup link or the command line is the
    /// operator, who vouches for it.
    /// </summary>
    public Task<PortalUser> CreateAsync(string email, string password, Caller? actor, bool platformAdministrator = false, CancellationToken cancellationToken = default) =>
        CreateAsync(email, password, actor, platformAdministrator, emailConfirmed: true, cancellationToken);

    private async Task<PortalUser> CreateAsync(string email, string password, Caller? actor, bool platformAdministrator, bool emailConfirmed, CancellationToken cancellationToken)
    {
        email = EmailAddresses.Require(email);
        if (await users.FindByEmailAsync(email) is not null)
        {
            throw new ConflictException("email", $"A user with email '{email}' already exists.");
        }

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = time.GetUtcNow();
            var organization = new Organization { Name = PersonalName(email), IsPersonal = true, CreatedAt = now };
            var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = emailConfirmed, CreatedAt = now, PersonalOrganizationId = organization.Id };
            db.Organizations.Add(organization);
            await db.SaveChangesAsync(cancellationToken);

            ThrowOnFailure(await users.CreateAsync(user, password));
            db.Memberships.Add(new Membership { OrganizationId = organization.Id, UserId = user.Id, Role = OrganizationRole.Owner, CreatedAt = now });

            if (platformAdministrator)
            {
                if (!await roles.RoleExistsAsync(PlatformRoles.Administrator))
                {
                    ThrowOnFailure(await roles.CreateAsync(new IdentityRole<Guid>(PlatformRoles.Administrator) { Id = Guid.CreateVersion7() }));
                }

                ThrowOnFailure(await users.AddToRoleAsync(user, PlatformRoles.Administrator));
            }

            var who = actor ?? new Caller(user.Id, email, Channels.Portal);
            audit.Record(who, platformAdministrator ? AuditActions.AdminCreated : AuditActions.UserRegistered, organization.Id, "user", user.Id.ToString(), email);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return user;
        });
    }

    private static string PersonalName(string email)
    {
        var name = email.Split('@')[0];
        return (name.Length > 80 ? name[..80] : name) + "'s workspace";
    }

    private static void ThrowOnFailure(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            var field = result.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "email";
            throw new InvalidRequestException(field, string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
