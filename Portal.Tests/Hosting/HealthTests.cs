using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Hosting;

/// <summary>Liveness and readiness (which includes the database) for orchestrators.</summary>
public abstract class HealthTests(PortalApp app)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Get_HealthyApp_Returns200Healthy(string path)
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_HealthWithoutKey_NeedsNoAuthentication()
    {
        using var client = app.CreateClient();

        var response = await client.GetAsync("/health/ready");

        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class SqliteHealthTests(SqliteApp app) : HealthTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlHealthTests(PostgreSqlApp app) : HealthTests(app), IClassFixture<PostgreSqlApp>;
