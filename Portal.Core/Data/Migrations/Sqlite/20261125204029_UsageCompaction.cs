using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsageCompaction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UsagePeriods",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Granularity = table.Column<byte>(type: "INTEGER", nullable: false),
                    Start = table.Column<long>(type: "INTEGER", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    KeyId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsagePeriods", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsagePeriods_Granularity_Start",
                table: "UsagePeriods",
                columns: new[] { "Granularity", "Start" });

            migrationBuilder.CreateIndex(
                name: "IX_UsagePeriods_KeyId_Start",
                table: "UsagePeriods",
                columns: new[] { "KeyId", "Start" });

            migrationBuilder.CreateIndex(
                name: "IX_UsagePeriods_OrganizationId_Granularity_Start_KeyId_Code_Count",
                table: "UsagePeriods",
                columns: new[] { "OrganizationId", "Granularity", "Start", "KeyId", "Code", "Count" });

            migrationBuilder.CreateIndex(
                name: "IX_UsagePeriods_OrganizationId_KeyId_Start_Code_Count",
                table: "UsagePeriods",
                columns: new[] { "OrganizationId", "KeyId", "Start", "Code", "Count" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsagePeriods");
        }
    }
}
