using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Core.Data;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

public sealed class MasterKeyTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public void EncryptThenDecrypt_ReturnsTheElement_AndHidesIt()
    {
        var key = MasterKey.Load(new MasterKeyOptions { MasterKey = Convert.ToBase64String(new byte[32]) }, app.DataDirectory);
        var services = new ServiceCollection().AddSingleton(key).BuildServiceProvider();
        var secret = new XElement("masterKey", "very secret");

        var encrypted = new MasterKeyXmlEncryptor(key).Encrypt(secret);

        Assert.DoesNotContain("very secret", encrypted.EncryptedElement.ToString());
        Assert.Equal(secret.ToString(), new MasterKeyXmlDecryptor(services).Decrypt(encrypted.EncryptedElement).ToString());
    }

    [Fact]
    public async Task KeyRing_InTheDatabase_IsEncrypted()
    {
        // Using Data Protection once makes sure a key exists.
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");
        await using var scope = app.Scope();
        var rows = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().DataProtectionKeys.ToListAsync();

        Assert.NotEmpty(rows);
        Assert.All(rows, row =>
        {
            Assert.Contains("encryptedKey", row.Xml);
            Assert.DoesNotContain("<masterKey", row.Xml);
        });
        Assert.True(File.Exists(Path.Combine(app.DataDirectory, MasterKey.FileName)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(app.DataDirectory, MasterKey.FileName)));
        }
    }

    [Fact]
    public void InvalidConfiguredMasterKey_StopsTheStart_NamingTheSetting()
    {
        using var broken = new SqliteApp().WithWebHostBuilder(b => b.UseSetting("DataProtection:MasterKey", "not-base64-or-too-short"));

        var error = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException
            ?? (error as AggregateException)?.InnerExceptions.OfType<OptionsValidationException>().FirstOrDefault();
        Assert.NotNull(validation);
        Assert.Contains("DataProtection:MasterKey", validation.Message);
    }
}
