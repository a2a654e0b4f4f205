using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Mail;

namespace Portal.Tests.Hosting;

/// <summary>The <c>Mail</c> settings: a wrong one stops the app at start naming it; good ones turn confirmation on.</summary>
public sealed class MailSettingsTests
{
    private static Dictionary<string, string?> Good(params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PublicUrl"] = "https://keys.example.com",
            ["Mail:Host"] = "smtp.example.com",
            ["Mail:From"] = "keys@example.com",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static TheoryData<string, Dictionary<string, string?>, string> BadSettings => new()
    {
        { "port zero", Good(("Mail:Port", "0")), "Mail:Port" },
        { "port too large", Good(("Mail:Port", "65536")), "Mail:Port" },
        { "port not a number", Good(("Mail:Port", "smtp")), "Mail:Port" },
        { "unknown security mode", Good(("Mail:Security", "Tls")), "Mail:Security" },
        { "no sender", Good(("Mail:From", null)), "Mail:From" },
        { "sender not an address", Good(("Mail:From", "keys at example")), "Mail:From" },
        { "sender without domain", Good(("Mail:From", "keys@")), "Mail:From" },
        { "password without user", Good(("Mail:Password", "hunter2")), "Mail:Password" },
        { "host not a host name", Good(("Mail:Host", "smtp example com")), "Mail:Host" },
        { "timeout too long", Good(("Mail:Timeout", "00:10:00")), "Mail:Timeout" },
        { "mail without public URL", Good(("PublicUrl", null)), "PublicUrl" },
        { "settings without host", new() { ["Mail:From"] = "keys@example.com" }, "Mail:Host" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Start_BadMailSetting_RefusesNamingTheSetting(string scenario, Dictionary<string, string?> settings, string setting)
    {
        using var app = new ConfiguredApp(settings);

        var error = Record.Exception(() => app.Services);

        Assert.True(error is not null, $"{scenario}: the app started");
        Assert.Contains(setting, Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_PasswordWithoutUser_DoesNotEchoThePassword()
    {
        using var app = new ConfiguredApp(Good(("Mail:Password", "hunter2-secret")));

        var error = Record.Exception(() => app.Services);

        Assert.NotNull(error);
        Assert.DoesNotContain("hunter2-secret", Messages(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StartTls", null, 587)]
    [InlineData("SslOnConnect", null, 465)]
    [InlineData("None", "2525", 2525)]
    public void Start_GoodMailSettings_StartsWithConfirmationRequired(string security, string? port, int effectivePort)
    {
        using var app = new ConfiguredApp(Good(("Mail:Security", security), ("Mail:Port", port), ("Mail:UserName", "portal"), ("Mail:Password", "secret"),
            ("Mail:From", "Key Portal <keys@example.com>")));

        var mail = app.Services.GetRequiredService<IOptions<MailOptions>>().Value;

        Assert.True(mail.IsEnabled);
        Assert.Equal(effectivePort, mail.EffectivePort);
        Assert.Equal("keys@example.com", mail.Sender().Address);
        Assert.True(app.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.SignIn.RequireConfirmedEmail);
        Assert.True(app.Services.GetRequiredService<IMailSender>().IsEnabled);
    }

    [Fact]
    public void Start_NoMailSection_StartsWithoutMailOrConfirmation()
    {
        using var app = new ConfiguredApp([]);

        Assert.False(app.Services.GetRequiredService<IMailSender>().IsEnabled);
        Assert.False(app.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.SignIn.RequireConfirmedEmail);
    }

    private static string Messages(Exception? error)
    {
        var all = new List<string>();
        void Walk(Exception? e)
        {
            for (; e is not null; e = e.InnerException)
            {
                all.Add(e.ToString());
                if (e is AggregateException aggregate)
                {
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        Walk(inner);
                    }
                }
            }
        }

        Walk(error);
        return string.Join(" | ", all);
    }
}
