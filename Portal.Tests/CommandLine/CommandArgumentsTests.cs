using Portal.CommandLine;

namespace Portal.Tests.CommandLine;

public sealed class CommandArgumentsTests
{
    [Fact]
    public void Parse_CommandVerbAndOptions_ReadsThem()
    {
        var parsed = CommandArguments.Parse(["keys", "create", "--owner", "a@example.com", "--scope", "a:b", "--scope", "c:d", "--name", "n"]);

        Assert.Equal("keys", parsed.Command);
        Assert.Equal("create", parsed.Verb);
        Assert.Equal("a@example.com", parsed.Single("owner"));
        Assert.Equal("n", parsed.Optional("name"));
        Assert.Equal(["a:b", "c:d"], parsed.Many("scope"));
    }

    [Fact]
    public void Parse_AbsentOptions_AreNullOrEmpty()
    {
        var parsed = CommandArguments.Parse(["admin", "create"]);

        Assert.Null(parsed.Optional("email"));
        Assert.Empty(parsed.Many("scope"));
    }

    [Fact]
    public void Parse_ValueWithSpacesAndDashes_IsKept()
    {
        var parsed = CommandArguments.Parse(["keys", "create", "--description", "a - b -c"]);

        Assert.Equal("a - b -c", parsed.Single("description"));
    }

    [Fact]
    public void Parse_DeclaredOperands_ReadsThemBeforeOptions()
    {
        var parsed = CommandArguments.Parse(["platform", "registration", "open", "--note", "x"], "open|invitation-only");

        Assert.Equal(["open"], parsed.Operands);
        Assert.Equal("x", parsed.Single("note"));
        Assert.Empty(CommandArguments.Parse(["admin", "create"]).Operands);
    }

    [Theory]
    [InlineData("'platform registration' needs MODE", "platform", "registration")]
    [InlineData("'platform registration' needs MODE", "platform", "registration", "--mode", "open")]
    [InlineData("unexpected argument 'extra'", "platform", "registration", "open", "extra")]
    public void Parse_DeclaredOperandMissingOrExtra_ThrowsWithMessage(string message, params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandArguments.Parse(args, "MODE"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a command needs a verb")]
    [InlineData("a command needs a verb", "admin")]
    [InlineData("unexpected argument 'extra'", "admin", "create", "extra")]
    [InlineData("unexpected argument '-e'", "admin", "create", "-e", "x")]
    [InlineData("unexpected argument '--'", "admin", "create", "--", "x")]
    [InlineData("option '--email' needs a value", "admin", "create", "--email")]
    [InlineData("option '--email' needs a value", "admin", "create", "--email", "--name", "x")]
    [InlineData("passwords are never taken as arguments", "admin", "create", "--password", "secret")]
    [InlineData("passwords are never taken as arguments", "admin", "create", "--password")]
    public void Parse_BadArguments_ThrowsWithMessage(string message, params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandArguments.Parse(args));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_Missing_ThrowsNamingTheOption()
    {
        var parsed = CommandArguments.Parse(["admin", "create"]);

        var error = Assert.Throws<ArgumentException>(() => parsed.Single("email"));

        Assert.Contains("'--email' is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_GivenTwice_ThrowsNamingTheOption()
    {
        var parsed = CommandArguments.Parse(["admin", "create", "--email", "a@example.com", "--email", "b@example.com"]);

        var error = Assert.Throws<ArgumentException>(() => parsed.Single("email"));

        Assert.Contains("'--email' is given more than once", error.Message, StringComparison.Ordinal);
    }
}
