using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Organizations;

public abstract class OrganizationPoliciesTests(PortalApp app)
{
    public static TheoryData<string, int?, int?, int?, int?, int?> OutOfRange => new()
    {
        { "maxKeyLifetimeDays", 0, null, null, null, null },
        { "maxKeyLifetimeDays", 3651, null, null, null, null },
        { "rotationIntervalDays", null, -1, null, null, null },
        { "defaultGraceHours", null, null, 5, 4, null },
        { "defaultGraceHours", null, null, -1, null, null },
        { "maxGraceHours", null, null, null, 721, null },
        { "disableUnusedAfterDays", null, null, null, null, 0 },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task Update_OutOfRange_NamesFieldAndSavesNothing(string field, int? lifetime, int? rotation, int? defaultGrace, int? maxGrace, int? unused)
    {
        var organization = await app.NewOrganizationAsync();
        await using var scope = app.Scope();
        var policies = scope.ServiceProvider.GetRequiredService<OrganizationPolicies>();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            policies.UpdateAsync(organization.Owner.Caller(), organization.Id, new PolicySettings(lifetime, rotation, defaultGrace, maxGrace, LiveKeyCreators.AdminsOnly, unused)));

        Assert.Equal(field, Assert.Single(error.Errors).Key);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.False(await db.OrganizationPolicies.AnyAsync(p => p.OrganizationId == organization.Id));
        Assert.False(await db.AuditRecords.AnyAsync(a => a.OrganizationId == organization.Id && a.Action == AuditActions.PolicyChanged));
    }

    [Fact]
    public void Validate_UnknownLiveKeyCreators_NamesField()
    {
        var errors = OrganizationPolicies.Validate(new PolicySettings(LiveKeyCreators: (LiveKeyCreators)7), TimeSpan.FromDays(30));

        Assert.Equal("liveKeyCreators", Assert.Single(errors).Key);
    }

    [Theory]
    [InlineData(OrganizationRole.Developer)]
    [InlineData(OrganizationRole.Viewer)]
    public async Task Update_ByNonAdmin_IsDenied_ButReadable(OrganizationRole role)
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, role);
        await using var scope = app.Scope();
        var policies = scope.ServiceProvider.GetRequiredService<OrganizationPolicies>();

        await Assert.ThrowsAsync<AccessDeniedException>(() => policies.UpdateAsync(member.Caller(), organization.Id, new PolicySettings(MaxKeyLifetimeDays: 1)));

        Assert.Null((await policies.GetAsync(member.Caller(), organization.Id))!.MaxKeyLifetimeDays);
    }

    [Fact]
    public async Task Update_ByAdmin_SavesAndAudits_StrangerSeesNothing()
    {
        var organization = await app.NewOrganizationAsync();
        var admin = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var stranger = await app.NewUserAsync();
        await using var scope = app.Scope();
        var policies = scope.ServiceProvider.GetRequiredService<OrganizationPolicies>();

        await policies.UpdateAsync(admin.Caller(), organization.Id, new PolicySettings(90, 30, 24, 48, LiveKeyCreators.AdminsOnly, 60));

        var saved = await policies.GetAsync(organization.Owner.Caller(), organization.Id);
        Assert.Equal((90, 30, 24, 48, LiveKeyCreators.AdminsOnly, 60),
            (saved!.MaxKeyLifetimeDays, saved.RotationIntervalDays, saved.DefaultGraceHours, saved.MaxGraceHours, saved.LiveKeyCreators, saved.DisableUnusedAfterDays));
        Assert.Null(await policies.GetAsync(stranger.Caller(), organization.Id));
        Assert.Null(await policies.UpdateAsync(stranger.Caller(), organization.Id, new PolicySettings()));
        Assert.True(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords
            .AnyAsync(a => a.OrganizationId == organization.Id && a.Action == AuditActions.PolicyChanged && a.ActorId == admin.User.Id));
    }
}

public sealed class SqliteOrganizationPoliciesTests(SqliteApp app) : OrganizationPoliciesTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlOrganizationPoliciesTests(PostgreSqlApp app) : OrganizationPoliciesTests(app), IClassFixture<PostgreSqlApp>;
