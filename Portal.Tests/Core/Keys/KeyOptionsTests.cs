using Microsoft.Extensions.Options;
using Portal.Core.Keys;

namespace Portal.Tests.Core.Keys;

public sealed class KeyOptionsTests
{
    private static readonly string GoodSecret = Convert.ToBase64String(new byte[32]);

    /// <summary>The same validation the host runs at start (ValidateDataAnnotations).</summary>
    private static ValidateOptionsResult Validate(KeyOptions options) =>
        new DataAnnotationValidateOptions<KeyOptions>(Options.DefaultName).Validate(Options.DefaultName, options);

    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(Validate(new KeyOptions()).Succeeded);

    [Fact]
    public void Validate_ConfiguredPeppers_Succeeds() =>
        Assert.True(Validate(new KeyOptions
        {
            Peppers = [new PepperSetting { Version = 1, Secret = GoodSecret }, new PepperSetting { Version = 2, Secret = GoodSecret }],
            CurrentPepperVersion = 1,
        }).Succeeded);

    public static TheoryData<string, KeyOptions, string> BadOptions => new()
    {
        { "upper-case live prefix", new KeyOptions { LivePrefix = "PK_LIVE" }, "Keys:LivePrefix" },
        { "live prefix with a hyphen", new KeyOptions { LivePrefix = "pk-live" }, "Keys:LivePrefix" },
        { "empty live prefix", new KeyOptions { LivePrefix = "" }, "Keys:LivePrefix" },
        { "25-character test prefix", new KeyOptions { TestPrefix = new string('t', 25) }, "Keys:TestPrefix" },
        { "test prefix starting with a digit", new KeyOptions { TestPrefix = "1test" }, "Keys:TestPrefix" },
        { "same prefix twice", new KeyOptions { LivePrefix = "pk", TestPrefix = "pk" }, "Keys:LivePrefix" },
        { "grace over 30 days", new KeyOptions { MaxRotationGrace = TimeSpan.FromDays(31) }, "Keys:MaxRotationGrace" },
        { "negative grace", new KeyOptions { MaxRotationGrace = TimeSpan.FromSeconds(-1) }, "Keys:MaxRotationGrace" },
        { "pepper not base64", new KeyOptions { Peppers = [new PepperSetting { Version = 1, Secret = "not base64!" }] }, "Keys:Peppers:0:Secret" },
        { "pepper too short", new KeyOptions { Peppers = [new PepperSetting { Version = 1, Secret = Convert.ToBase64String(new byte[31]) }] }, "Keys:Peppers:0:Secret" },
        { "pepper empty", new KeyOptions { Peppers = [new PepperSetting { Version = 1, Secret = "" }] }, "Keys:Peppers:0:Secret" },
        { "second pepper bad", new KeyOptions { Peppers = [new PepperSetting { Version = 1, Secret = GoodSecret }, new PepperSetting { Version = 2, Secret = "x" }] }, "Keys:Peppers:1:Secret" },
        { "pepper version zero", new KeyOptions { Peppers = [new PepperSetting { Version = 0, Secret = GoodSecret }] }, "Keys:Peppers:0:Version" },
        { "pepper version twice", new KeyOptions { Peppers = [new PepperSetting { Version = 1, Secret = GoodSecret }, new PepperSetting { Version = 1, Secret = GoodSecret }] }, "Keys:Peppers" },
        { "current version not configured", new KeyOptions { CurrentPepperVersion = 2, Peppers = [new PepperSetting { Version = 1, Secret = GoodSecret }] }, "Keys:CurrentPepperVersion" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_BadSetting_FailsNamingTheSetting(string scenario, KeyOptions options, string setting)
    {
        var result = Validate(options);

        Assert.True(result.Failed, scenario);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadPepper_DoesNotEchoTheSecret()
    {
        const string secret = "c2hvcnQtYnV0LXNlY3JldA==";

        var result = Validate(new KeyOptions { Peppers = [new PepperSetting { Version = 1, Secret = secret }] });

        Assert.True(result.Failed);
        Assert.DoesNotContain(secret, result.FailureMessage, StringComparison.Ordinal);
    }
}
