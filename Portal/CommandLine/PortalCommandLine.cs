using Microsoft.AspNetCore.Identity;
using Portal.Core;
using Portal.Core.Apis;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;

namespace Portal.CommandLine;

/// <summary>
/// The admin command line: the same program, configuration and database as the server. Prints
/// results on standard output, messages on standard error, and exits non-zero on bad input.
/// </summary>
public static class PortalCommandLine
{
    public const string PasswordVariable = "PORTAL_ADMIN_PASSWORD";

    public const string Usage = """
        Usage:
          Portal admin create --email EMAIL
              Creates a platform administrator. The password is read from the
              PORTAL_ADMIN_PASSWORD environment variable, else from standard input.
          Portal keys create --owner EMAIL --name NAME [--scope SCOPE ...] [--expires 30d|12h|DATE]
                             [--environment test|live] [--description TEXT] [--api API_ID ...]
                             [--organization ID]
              Creates a key for the user in their personal organization, or the given one,
              and prints the token alone on standard output. Each --api (api_...) limits
              the key to that API of the organization; without one it may call them all.
          Portal platform registration open|invitation-only
              Sets who may create an account on the sign-up page: anyone (open), or
              only people holding an invitation, for the invited address. A new
              installation is invitation-only. Prints the setting now in force.
          Portal apis create --owner EMAIL --name NAME [--environments live|test|live,test]
                             [--organization ID] [--description TEXT]
              Registers an API in the user's personal organization, or the given one
              (where the user must be an admin), and prints its id (api_...) alone.
          Portal seed keys --owner EMAIL --count N [--organization ID]
              Inserts N keys (in batches) into the user's personal organization, or the
              given one, then prints how long the portal's key list pages take.
          Portal seed usage --owner EMAIL --keys N --requests N --days N [--log-records N]
                            [--organization ID]
              Inserts N keys and the given requests' usage over the last days straight
              into the roll-ups (and log records for paths and latency), then prints how
              long the usage page's queries take.
          Portal measure usage --owner EMAIL [--organization ID] [--runs N]
              Prints how long the usage page's queries take for each range.
        """;

    /// <summary>
    /// A bare first word is a command. Host settings are always <c>--key value</c>, <c>/key value</c>
    /// or <c>key=value</c>, so a mistyped command fails with the usage instead of starting the server.
    /// </summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && args[0] is [not ('-' or '/'), ..] first && !first.Contains('=');

    /// <summary>Command words are not configuration: the host sees no arguments in command mode.</summary>
    public static string[] HostArguments(string[] args) => IsCommand(args) ? [] : args;

    public static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();

        CommandArguments parsed;
        try
        {
            parsed = CommandArguments.Parse(args, OperandsOf(args));
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}\n\n{Usage}");
            return 2;
        }

        try
        {
            app.Services.SecureDataFiles();
            await app.Services.MigratePortalDatabaseAsync();
            await using var scope = app.Services.CreateAsyncScope();
            return (parsed.Command, parsed.Verb) switch
            {
                ("admin", "create") => await CreateAdminAsync(scope.ServiceProvider, parsed),
                ("keys", "create") => await CreateKeyAsync(scope.ServiceProvider, parsed),
                ("apis", "create") => await CreateApiAsync(scope.ServiceProvider, parsed),
                ("platform", "registration") => await SetRegistrationAsync(scope.ServiceProvider, parsed),
                ("seed", "keys") => await KeySeeder.SeedAsync(scope.ServiceProvider, parsed),
                ("seed", "usage") => await UsageSeeder.SeedAsync(scope.ServiceProvider, parsed),
                ("measure", "usage") => await UsageMeasure.RunAsync(scope.ServiceProvider, parsed),
                _ => throw new ArgumentException($"unknown command '{parsed.Command} {parsed.Verb}'."),
            };
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}\n\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is InvalidRequestException or ConflictException or AccessDeniedException or NotFoundException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    // Commands that take bare words after their verb, named as the usage names them.
    private static string[] OperandsOf(string[] args) => args is ["platform", "registration", ..] ? ["open|invitation-only"] : [];

    private static async Task<int> SetRegistrationAsync(IServiceProvider services, CommandArguments args)
    {
        var mode = args.Operands[0] switch
        {
            "open" => RegistrationMode.Open,
            "invitation-only" => RegistrationMode.InvitationOnly,
            var other => throw new ArgumentException($"registration must be 'open' or 'invitation-only', not '{other}'."),
        };
        var registration = services.GetRequiredService<PlatformRegistration>();
        await registration.SetAsOperatorAsync(OperatorCaller(), mode);
        Console.Out.WriteLine(PlatformRegistration.Describe(await registration.GetAsync()));
        return 0;
    }

    private static async Task<int> CreateAdminAsync(IServiceProvider services, CommandArguments args)
    {
        var email = args.Single("email");
        var password = Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : await ReadPasswordAsync();
        if (string.IsNullOrEmpty(password))
        {
            throw new InvalidRequestException("password", $"No password: set {PasswordVariable} or write it to standard input.");
        }

        var accounts = services.GetRequiredService<UserAccounts>();
        var user = await accounts.CreateAsync(email, password, OperatorCaller(), platformAdministrator: true);
        await Console.Error.WriteLineAsync($"Platform administrator {user.Email} created.");
        return 0;
    }

    private static async Task<int> CreateKeyAsync(IServiceProvider services, CommandArguments args)
    {
        var email = args.Single("owner");
        var owner = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email)
            ?? throw new InvalidRequestException("owner", $"No user has the email '{email}'.");
        var environment = args.Optional("environment") switch
        {
            null or "test" => KeyEnvironment.Test,
            "live" => KeyEnvironment.Live,
            var other => throw new ArgumentException($"--environment must be 'test' or 'live', not '{other}'."),
        };
        var time = services.GetRequiredService<TimeProvider>();
        var expiresAt = args.Optional("expires") is { } expires ? ExpiryParser.Parse(expires, time.GetUtcNow()) : (DateTimeOffset?)null;

        var apiIds = args.Many("api").Select(text => ApiId.TryParse(text, out var id) ? id : throw new ArgumentException($"--api must be an API id (api_ and 32 hex digits, as 'apis create' prints it), not '{text}'.")).ToList();

        var caller = OperatorCaller() with { UserId = owner.Id };
        var issued = await services.GetRequiredService<KeyCatalog>().CreateAsync(
            caller,
            new CreateKeyCommand(args.Single("name"), args.Optional("description"), environment, args.Many("scope"), expiresAt, OrganizationOption(args), ApiIds: apiIds));
        Console.Out.WriteLine(issued.Token);
        return 0;
    }

    private static async Task<int> CreateApiAsync(IServiceProvider services, CommandArguments args)
    {
        var email = args.Single("owner");
        var owner = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email)
            ?? throw new InvalidRequestException("owner", $"No user has the email '{email}'.");
        var environments = args.Optional("environments") switch
        {
            null or "live" => ApiEnvironments.Live,
            "test" => ApiEnvironments.Test,
            "live,test" or "test,live" => ApiEnvironments.Both,
            var other => throw new ArgumentException($"--environments must be 'live', 'test' or 'live,test', not '{other}'."),
        };
        var organizationId = OrganizationOption(args) ?? owner.PersonalOrganizationId;

        var caller = OperatorCaller() with { UserId = owner.Id };
        var api = await services.GetRequiredService<ApiCatalog>().CreateAsync(
            caller, organizationId, new ApiDraft(args.Single("name"), args.Optional("description"), environments));
        Console.Out.WriteLine(api.PublicId);
        return 0;
    }

    private static Guid? OrganizationOption(CommandArguments args) => args.Optional("organization") is { } text
        ? Guid.TryParse(text, out var id) ? id : throw new ArgumentException($"--organization must be an organization id, not '{text}'.")
        : null;

    private static Caller OperatorCaller() =>
        new(Guid.Empty, $"cli:{Environment.UserName}", Channels.CommandLine);

    private static async Task<string?> ReadPasswordAsync()
    {
        if (Console.IsInputRedirected)
        {
            return (await Console.In.ReadLineAsync())?.TrimEnd('\r', '\n');
        }

        await Console.Error.WriteAsync("Password: ");
        var password = new System.Text.StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace && password.Length > 0)
            {
                password.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        await Console.Error.WriteLineAsync();
        return password.ToString();
    }
}
