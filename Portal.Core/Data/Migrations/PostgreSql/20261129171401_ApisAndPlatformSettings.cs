using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ApisAndPlatformSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ApiId",
                table: "EndpointRules",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<List<Guid>>(
                name: "ApiIds",
                table: "ApiKeys",
                type: "uuid[]",
                nullable: false);

            migrationBuilder.CreateTable(
                name: "Apis",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    Environments = table.Column<int>(type: "integer", nullable: false),
                    AllowUnmatchedRequests = table.Column<bool>(type: "boolean", nullable: false),
                    CaseSensitivePaths = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Apis", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Apis_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PlatformSettings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Registration = table.Column<int>(type: "integer", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PlatformSettings", x => x.Id);
                });

            // Each existing organization gets one API holding its endpoint rules and its choice
            // for unmatched requests, accepting both environments as its unbound door did; an
            // installation that already has users keeps open registration.
            migrationBuilder.Sql("""
                INSERT INTO "Apis" ("Id", "OrganizationId", "Name", "Description", "Environments", "AllowUnmatchedRequests", "CaseSensitivePaths", "CreatedAt")
                SELECT "Id", "Id", 'Default API', NULL, 3, "AllowUnmatchedRequests", FALSE, "CreatedAt" FROM "Organizations";
                """);

            migrationBuilder.Sql("""
                UPDATE "EndpointRules" SET "ApiId" = "OrganizationId";
                """);

            migrationBuilder.Sql("""
                INSERT INTO "PlatformSettings" ("Id", "Registration", "UpdatedAt")
                SELECT 1, 1, "CreatedAt" FROM "Organizations" WHERE EXISTS (SELECT 1 FROM "AspNetUsers") ORDER BY "CreatedAt" DESC LIMIT 1;
                """);

            migrationBuilder.CreateIndex(
                name: "IX_EndpointRules_ApiId",
                table: "EndpointRules",
                column: "ApiId");

            migrationBuilder.CreateIndex(
                name: "IX_Apis_OrganizationId_Name",
                table: "Apis",
                columns: new[] { "OrganizationId", "Name" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_EndpointRules_Apis_ApiId",
                table: "EndpointRules",
                column: "ApiId",
                principalTable: "Apis",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.DropColumn(
                name: "AllowUnmatchedRequests",
                table: "Organizations");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_EndpointRules_Apis_ApiId",
                table: "EndpointRules");

            migrationBuilder.DropTable(
                name: "Apis");

            migrationBuilder.DropTable(
                name: "PlatformSettings");

            migrationBuilder.DropIndex(
                name: "IX_EndpointRules_ApiId",
                table: "EndpointRules");

            migrationBuilder.DropColumn(
                name: "ApiId",
                table: "EndpointRules");

            migrationBuilder.DropColumn(
                name: "ApiIds",
                table: "ApiKeys");

            migrationBuilder.AddColumn<bool>(
                name: "AllowUnmatchedRequests",
                table: "Organizations",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }
    }
}
