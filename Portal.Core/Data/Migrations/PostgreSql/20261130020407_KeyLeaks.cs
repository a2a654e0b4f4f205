using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class KeyLeaks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "KeyLeaks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    KeyId = table.Column<Guid>(type: "uuid", nullable: false),
                    SecretId = table.Column<Guid>(type: "uuid", nullable: false),
                    Url = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Source = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Reporter = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Outcome = table.Column<int>(type: "integer", nullable: false),
                    ReportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KeyLeaks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_KeyLeaks_ApiKeySecrets_SecretId",
                        column: x => x.SecretId,
                        principalTable: "ApiKeySecrets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_KeyLeaks_KeyId",
                table: "KeyLeaks",
                column: "KeyId");

            migrationBuilder.CreateIndex(
                name: "IX_KeyLeaks_OrganizationId_ReportedAt",
                table: "KeyLeaks",
                columns: new[] { "OrganizationId", "ReportedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_KeyLeaks_SecretId",
                table: "KeyLeaks",
                column: "SecretId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "KeyLeaks");
        }
    }
}
