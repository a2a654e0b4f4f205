using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Leaks;
using Portal.Core.Mail;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Core.Permissions;
using Portal.Core.Protections;
using Portal.Core.Signatures;
using Portal.Core.Usage;
using Portal.Core.Validation;
using Portal.Core.Webhooks;

namespace Portal.Core;

public static class PortalCoreServiceCollectionExtensions
{
    /// <summary>Registers the domain services, the database and the validated options of Portal.Core.</summary>
    public static IServiceCollection AddPortalCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddOptions<KeyOptions>().BindConfiguration(KeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ValidationOptions>().BindConfiguration(ValidationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuthenticationLogOptions>().BindConfiguration(AuthenticationLogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LogQueryOptions>().BindConfiguration(LogQueryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<UsageOptions>().BindConfiguration(UsageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LeakReportOptions>().BindConfiguration(LeakReportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GeoOptions>().BindConfiguration(GeoOptions.Section).ValidateOnStart();
        services.AddOptions<SignatureOptions>().BindConfiguration(SignatureOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Before Identity registers its own: email addresses are found by the one email rule.
        services.TryAddSingleton<Microsoft.AspNetCore.Identity.ILookupNormalizer, Names.EmailLookupNormalizer>();
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IMailSender, SmtpMailSender>();
        var geoValidator = new GeoOptionsValidator(contentRoot);
        services.AddSingleton<IValidateOptions<GeoOptions>>(geoValidator);

        var dataDirectory = DataDirectory(configuration, contentRoot);
        services.AddPortalData(configuration, dataDirectory);

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton(sp => PepperRing.Load(sp.GetRequiredService<IOptions<KeyOptions>>().Value, dataDirectory));
        services.AddSingleton<KeyHasher>();
        services.AddSingleton<KeyChangeFeed>();
        services.AddSingleton<IKeySnapshotSource, DatabaseKeySnapshotSource>();
        services.AddSingleton<KeySnapshotCache>();
        services.AddSingleton(sp => new AccessCompiler(sp.GetRequiredService<IOptions<ValidationOptions>>().Value.MaxSharedAccessBytes));
        services.AddSingleton<IApiPolicySource, DatabaseApiPolicySource>();
        services.AddSingleton<ApiPolicyCache>();
        services.AddSingleton<IOrganizationShieldSource, DatabaseOrganizationShieldSource>();
        services.AddSingleton<OrganizationShieldCache>();
        services.AddSingleton<RequestShield>();
        services.AddSingleton<KeyValidator>();
        services.AddSingleton<UsageCounters>();
        services.AddSingleton<AuthenticationLog>();
        services.AddSingleton<DecisionRecorder>();
        services.AddSingleton<UsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageFlusher>());
        services.AddSingleton<AuthenticationLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuthenticationLogWriter>());
        // Rate limits and quotas count in memory on this node; the scale-out work replaces the store.
        services.TryAddSingleton<IRateLimitStore, InMemoryRateLimitStore>();
        services.AddSingleton<QuotaWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<QuotaWriter>());
        // Signature nonces are remembered in memory on this node; the scale-out work replaces the store.
        services.TryAddSingleton<INonceStore>(sp => new InMemoryNonceStore(
            sp.GetRequiredService<IOptions<SignatureOptions>>(), sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

        // Read at start (a bad file stops the app naming Geo:DatabasePath), then watched while the host runs.
        services.AddSingleton(sp =>
        {
            var path = sp.GetRequiredService<IOptions<GeoOptions>>().Value.ResolvePath(contentRoot);
            return new CountryDatabase(path, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CountryDatabase>>(), geoValidator.TakeValidated(path));
        });
        services.AddSingleton<ICountryLookup>(sp => sp.GetRequiredService<CountryDatabase>());
        services.AddHostedService(sp => sp.GetRequiredService<CountryDatabase>());

        services.AddSingleton<ThreatMonitor>();
        services.AddSingleton<ThreatResponder>();
        services.AddHostedService(sp => sp.GetRequiredService<ThreatResponder>());
        services.AddSingleton<LeakReportSignatures>();
        services.AddSingleton<LeakReports>();
        services.AddSingleton<PortalLeakReportLimit>();

        // Reconciliation jobs: plain services; the host decides when they run (Hangfire, see Portal/Jobs).
        services.AddSingleton<KeyExpiry>();
        services.AddSingleton<RotationGraceEnd>();
        services.AddSingleton<KeyReminders>();
        services.AddSingleton<RotationPolicyEnforcement>();
        services.AddSingleton<UnusedKeyDisabling>();
        services.AddSingleton<AuthenticationLogRetention>();
        services.AddSingleton<WebhookDispatch>();
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.TryAddSingleton<IPortalOwnAddresses, MachineOwnAddresses>();
        services.AddSingleton<WebhookDestinations>();
        services.AddSingleton<WebhookConnector>();
        services.AddHttpClient(WebhookDispatch.HttpClientName)
            // Every connection goes through the address rule, after DNS (see WebhookConnector).
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<WebhookConnector>().CreateHandler())
            // The dispatcher applies Webhooks:Timeout per attempt.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);

        services.AddScoped<OrganizationAccess>();
        services.AddScoped<PermissionEvaluator>();
        services.AddScoped<MemberOffboarding>();
        services.AddScoped<KeyHolderReconciliation>();
        services.AddQuotas();
        services.AddScoped<AuditTrail>();
        services.AddScoped<AddressBlocks>();
        services.AddScoped<KeyCatalog>();
        services.AddScoped<SigningCredentialCatalog>();
        services.AddScoped<GrantCheck>();
        services.AddScoped<AccessCatalog>();
        services.AddScoped<ApiCatalog>();
        services.AddScoped<PermissionSetCatalog>();
        services.AddScoped<AccessExplainer>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<PlatformRegistration>();
        services.AddScoped<AuthenticationLogQuery>();
        services.AddScoped<UsageQuery>();
        services.AddScoped<UsageAccess>();
        services.AddScoped<UsageCharts>();
        services.AddScoped<UsageCsv>();
        services.AddScoped<RotationTelemetry>();
        // Also the recurring job compact-usage; safe on several nodes at once.
        services.AddSingleton<UsageCompaction>();
        services.AddScoped<OrganizationPolicies>();
        services.AddScoped<NotificationInbox>();
        services.AddScoped<WebhookSettings>();
        return services;
    }

    /// <summary>The absolute data folder: <c>Storage:DataDirectory</c>, relative to the content root.</summary>
    public static string DataDirectory(IConfiguration configuration, string contentRoot)
    {
        var configured = configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.DataDirectory)}"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "data" : configured, contentRoot);
    }
}
