using Portal.Core.Access;

namespace Portal.Tests.Core.Access;

public sealed class ScopeTests
{
    [Theory]
    [InlineData("orders:read")]
    [InlineData("keys:manage")]
    [InlineData("keys:verify")]
    [InlineData("orders:refund:partial")]
    [InlineData("orders:*")]
    [InlineData("*:read")]
    [InlineData("*:*")]
    [InlineData("billing.v2:read-only")]
    [InlineData("a1_b:c")]
    public void IsValid_WellFormedScope_ReturnsTrue(string scope) =>
        Assert.True(Scope.IsValid(scope));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("orders")]
    [InlineData("*")]
    [InlineData("orders:")]
    [InlineData(":read")]
    [InlineData("orders::read")]
    [InlineData("Orders:read")]
    [InlineData("orders:READ")]
    [InlineData("orders:re*d")]
    [InlineData("orders:**")]
    [InlineData("1orders:read")]
    [InlineData("orders:-read")]
    [InlineData("orders read")]
    [InlineData(" orders:read")]
    [InlineData("orders:read ")]
    [InlineData("orders:read\n")]
    [InlineData("orders:réad")]
    [InlineData("orders/read")]
    public void IsValid_MalformedScope_ReturnsFalse(string? scope) =>
        Assert.False(Scope.IsValid(scope));

    [Fact]
    public void IsValid_Length_IsCappedAt128()
    {
        var longest = "a:" + new string('b', Scope.MaxLength - 2);

        Assert.True(Scope.IsValid(longest));
        Assert.False(Scope.IsValid(longest + "b"));
    }

    [Fact]
    public void Validate_NullOrEmpty_ReturnsNull()
    {
        Assert.Null(Scope.Validate(null));
        Assert.Null(Scope.Validate([]));
        Assert.Null(Scope.Validate(["orders:read", "keys:*"]));
    }

    [Fact]
    public void Validate_OneBadScope_NamesIt()
    {
        var error = Scope.Validate(["orders:read", "Bad Scope"]);

        Assert.NotNull(error);
        Assert.Contains("'Bad Scope'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LongBadScope_IsTruncatedInTheMessage()
    {
        var bad = new string('X', 500);

        var error = Scope.Validate([bad]);

        Assert.NotNull(error);
        Assert.DoesNotContain(bad, error, StringComparison.Ordinal);
        Assert.Contains(new string('X', 40) + "…", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TooManyScopes_Fails()
    {
        var fifty = Enumerable.Range(0, Scope.MaxPerKey).Select(i => $"r{i}:read").ToList();

        Assert.Null(Scope.Validate(fifty));
        Assert.NotNull(Scope.Validate([.. fifty, "one:more"]));
    }

    [Theory]
    [InlineData("orders:read", "orders:read", true)]
    [InlineData("orders:read", "orders:write", false)]
    [InlineData("orders:write", "orders:read", true)]
    [InlineData("orders:admin", "orders:read", true)]
    [InlineData("orders:admin", "orders:refund", false)]
    [InlineData("*:write", "orders:read", true)]
    [InlineData("orders:read", "invoices:read", false)]
    [InlineData("orders:*", "orders:read", true)]
    [InlineData("orders:*", "orders:refund:partial", true)]
    [InlineData("orders:*", "invoices:read", false)]
    [InlineData("*:read", "orders:read", true)]
    [InlineData("*:read", "orders:write", false)]
    [InlineData("*:*", "orders:write", true)]
    [InlineData("*", "orders:write", true)]
    [InlineData("keys:*", "keys:manage", true)]
    [InlineData("orders:*:partial", "orders:refund:partial", true)]
    [InlineData("orders:*:partial", "orders:refund:full", false)]
    [InlineData("orders:read", "orders:read:own", false)]
    [InlineData("orders:read:own", "orders:read", false)]
    [InlineData("orders:read", "orders:*", false)]
    [InlineData("orders:read", "*:read", false)]
    [InlineData("orders:rea", "orders:read", false)]
    [InlineData("orders:read", "orders:rea", false)]
    [InlineData("order:read", "orders:read", false)]
    [InlineData("orders:*", "orders", false)]
    [InlineData("", "orders:read", false)]
    public void Satisfies_GrantedAndRequired_AnswersWhetherGrantCovers(string granted, string required, bool expected) =>
        Assert.Equal(expected, Scope.Satisfies(granted, required));

    [Fact]
    public void Normalize_Null_ReturnsEmpty() =>
        Assert.Empty(Scope.Normalize(null));

    [Fact]
    public void Normalize_Scopes_TrimsRemovesDuplicatesAndSortsOrdinally() =>
        Assert.Equal(
            ["billing:read", "keys:manage", "orders:*", "orders:read"],
            Scope.Normalize(["orders:read", " keys:manage", "orders:*", "billing:read ", "orders:read", "keys:manage"]));
}
