using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RequestProtections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DeniedCountries",
                table: "OrganizationPolicies",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "DeniedNetworks",
                table: "OrganizationPolicies",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<bool>(
                name: "RequireIpAllowlistOnLiveKeys",
                table: "OrganizationPolicies",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Threats",
                table: "OrganizationPolicies",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Cost",
                table: "EndpointRules",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "Protections",
                table: "Apis",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<string>(
                name: "Protections",
                table: "ApiKeys",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<long>(
                name: "QuotaAsOf",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "QuotaRemaining",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "QuotaStamp",
                table: "ApiKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AddressBlocks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Network = table.Column<string>(type: "TEXT", maxLength: 49, nullable: false),
                    Reason = table.Column<int>(type: "INTEGER", nullable: false),
                    Cause = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Strike = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LiftedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LiftedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AddressBlocks", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AddressBlocks_LiftedAt_ExpiresAt",
                table: "AddressBlocks",
                columns: new[] { "LiftedAt", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AddressBlocks_OrganizationId_LiftedAt_ExpiresAt",
                table: "AddressBlocks",
                columns: new[] { "OrganizationId", "LiftedAt", "ExpiresAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AddressBlocks");

            migrationBuilder.DropColumn(
                name: "DeniedCountries",
                table: "OrganizationPolicies");

            migrationBuilder.DropColumn(
                name: "DeniedNetworks",
                table: "OrganizationPolicies");

            migrationBuilder.DropColumn(
                name: "RequireIpAllowlistOnLiveKeys",
                table: "OrganizationPolicies");

            migrationBuilder.DropColumn(
                name: "Threats",
                table: "OrganizationPolicies");

            migrationBuilder.DropColumn(
                name: "Cost",
                table: "EndpointRules");

            migrationBuilder.DropColumn(
                name: "Protections",
                table: "Apis");

            migrationBuilder.DropColumn(
                name: "Protections",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "QuotaAsOf",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "QuotaRemaining",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "QuotaStamp",
                table: "ApiKeys");
        }
    }
}
