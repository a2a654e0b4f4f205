using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class AuthenticationLogSegments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuthenticationLog");

            migrationBuilder.CreateTable(
                name: "AuthenticationLogSegments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    KeyId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    OwnerId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    FirstAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    LastAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Count = table.Column<int>(type: "int", nullable: false),
                    Records = table.Column<byte[]>(type: "varbinary(max)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuthenticationLogSegments", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuthenticationLogSegments_KeyId_LastAt",
                table: "AuthenticationLogSegments",
                columns: new[] { "KeyId", "LastAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuthenticationLogSegments_LastAt",
                table: "AuthenticationLogSegments",
                column: "LastAt");

            migrationBuilder.CreateIndex(
                name: "IX_AuthenticationLogSegments_OrganizationId_LastAt",
                table: "AuthenticationLogSegments",
                columns: new[] { "OrganizationId", "LastAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuthenticationLogSegments");

            migrationBuilder.CreateTable(
                name: "AuthenticationLog",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ClientIp = table.Column<string>(type: "nvarchar(45)", maxLength: 45, nullable: true),
                    Code = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Door = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    KeyHint = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    KeyId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    LatencyMicroseconds = table.Column<int>(type: "int", nullable: false),
                    Method = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    OccurredAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    OwnerId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    Path = table.Column<string>(type: "nvarchar(512)", maxLength: 512, nullable: true),
                    UserAgent = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuthenticationLog", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuthenticationLog_KeyId_OccurredAt",
                table: "AuthenticationLog",
                columns: new[] { "KeyId", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuthenticationLog_OccurredAt",
                table: "AuthenticationLog",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_AuthenticationLog_OrganizationId_OccurredAt",
                table: "AuthenticationLog",
                columns: new[] { "OrganizationId", "OccurredAt" });
        }
    }
}
