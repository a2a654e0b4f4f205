using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.SqlServer
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
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "DeniedNetworks",
                table: "OrganizationPolicies",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<bool>(
                name: "RequireIpAllowlistOnLiveKeys",
                table: "OrganizationPolicies",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Threats",
                table: "OrganizationPolicies",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Cost",
                table: "EndpointRules",
                type: "int",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "Protections",
                table: "Apis",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<string>(
                name: "Protections",
                table: "ApiKeys",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "QuotaAsOf",
                table: "ApiKeys",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "QuotaRemaining",
                table: "ApiKeys",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "QuotaStamp",
                table: "ApiKeys",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AddressBlocks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Network = table.Column<string>(type: "nvarchar(49)", maxLength: 49, nullable: false),
                    Reason = table.Column<int>(type: "int", nullable: false),
                    Cause = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: false),
                    Strike = table.Column<int>(type: "int", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    LiftedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    LiftedBy = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    CreatedBy = table.Column<Guid>(type: "uniqueidentifier", nullable: true)
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
