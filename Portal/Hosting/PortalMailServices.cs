using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Core.Mail;

namespace Portal.Hosting;

/// <summary>
/// Mail in the web host: with <c>Mail:Host</c> set, sign-in requires a confirmed address
/// (Identity's <see cref="SignInOptions.RequireConfirmedEmail"/>) and <c>PublicUrl</c> is required,
/// since links in mail must not be built from a request's Host header. The mail settings
/// themselves are checked by <see cref="MailOptions"/> (Portal.Core).
/// </summary>
public static class PortalMailServices
{
    public const string PublicUrlRequiredMessage =
        "Mail:Host is set but PublicUrl is not: links in mail are built on PublicUrl (e.g. https://keys.example.com), never on the address a request names.";

    public static IServiceCollection AddPortalMail(this IServiceCollection services)
    {
        services.AddOptions<MailOptions>()
            .Validate<IOptions<PublicUrlOptions>>((mail, publicUrl) => !mail.IsEnabled || publicUrl.Value.BaseUri is not null, PublicUrlRequiredMessage);
        services.AddOptions<IdentityOptions>()
            .Configure<IOptions<MailOptions>>((identity, mail) => identity.SignIn.RequireConfirmedEmail = mail.Value.IsEnabled);
        services.AddSingleton<MailOutbox>();
        services.AddHostedService(sp => sp.GetRequiredService<MailOutbox>());
        services.AddScoped<AccountMail>();
        services.AddSingleton<InvitationMail>();
        return services;
    }
}
