using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.SqlServer
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
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Granularity = table.Column<byte>(type: "tinyint", nullable: false),
                    Start = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    KeyId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    Code = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false)
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
