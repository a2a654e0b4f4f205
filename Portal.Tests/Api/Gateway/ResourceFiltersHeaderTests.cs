using Portal.Api.Gateway;
using Portal.Core.Access;

namespace Portal.Tests.Api.Gateway;

/// <summary><c>X-Auth-Resource-Filters</c> as written: an RFC 8941 List of Inner Lists of Strings with a <c>scope</c> parameter, bounded in size.</summary>
public sealed class ResourceFiltersHeaderTests
{
    [Fact]
    public void Format_Filters_IsTheDocumentedStructuredField()
    {
        var value = ResourceFiltersHeader.Format([
            new ResourceFilter("assets:read", ["asset/eu-*", "asset/ch-*"]),
            new ResourceFilter("invoices:read", ["invoice/2026-*"]),
        ]);

        Assert.Equal("(\"asset/eu-*\" \"asset/ch-*\");scope=\"assets:read\", (\"invoice/2026-*\");scope=\"invoices:read\"", value);
        Assert.Equal([("assets:read", "asset/eu-* asset/ch-*"), ("invoices:read", "invoice/2026-*")], ResourceFiltersField.Read(value));
    }

    [Fact]
    public void Format_NoFilters_IsNull()
    {
        Assert.Null(ResourceFiltersHeader.Format([]));
    }

    [Fact]
    public void Format_QuoteAndBackslash_AreEscaped_AndReadBack()
    {
        var value = ResourceFiltersHeader.Format([new ResourceFilter("odd:read", ["a/\"b\\c"])]);

        Assert.Equal("odd:read", ResourceFiltersField.Read(value).Single().Scope);
        Assert.Equal("a/\"b\\c", ResourceFiltersField.Read(value).Single().Resources);
    }

    [Fact]
    public void Format_MemberWithNonAsciiOrControlCharacters_IsLeftOut()
    {
        var value = ResourceFiltersHeader.Format([
            new ResourceFilter("a:read", ["asset/é"]),
            new ResourceFilter("b:read", ["asset/\n"]),
            new ResourceFilter("c:read", ["asset/1"]),
        ]);

        Assert.Equal([("c:read", "asset/1")], ResourceFiltersField.Read(value));
    }

    [Fact]
    public void Format_PastTheBound_StopsAtAWholeMember_InScopeOrder()
    {
        // 50 scopes of 20 patterns of 200 characters: far past the bound, as a large key could be.
        var filters = Enumerable.Range(0, 50)
            .Select(s => new ResourceFilter($"scope{s:D2}:read", [.. Enumerable.Range(0, 20).Select(p => $"asset/{s:D2}-{p:D2}-" + new string('x', 190))]))
            .ToList();
        var small = new ResourceFilter("a:read", ["asset/1"]);

        var value = ResourceFiltersHeader.Format([small, .. filters]);

        Assert.NotNull(value);
        Assert.True(value.Length <= ResourceFiltersHeader.MaxLength, $"{value.Length} bytes");
        var read = ResourceFiltersField.Read(value);
        Assert.Equal(["a:read"], read.Select(f => f.Scope));
        Assert.Null(ResourceFiltersHeader.Format(filters.Take(1).ToList()));
    }

    [Theory]
    [InlineData("(\"a\");scope=\"x\",")]
    [InlineData("(\"a\" );scope=x")]
    [InlineData("(\"a\"\"b\");scope=\"x\"")]
    [InlineData("(\"a\");scope=\"x\";other=\"y\"")]
    [InlineData("(a);scope=\"x\"")]
    [InlineData("\"a\";scope=\"x\"")]
    public void Reader_RejectsWhatTheDocumentedShapeIsNot(string field)
    {
        // The reader the tests trust must itself refuse near misses, or the tests above could not fail.
        Assert.ThrowsAny<Exception>(() => ResourceFiltersField.Read(field));
    }
}
