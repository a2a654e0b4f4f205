using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Portal.Auth;

namespace Portal.Tests.Auth;

/// <summary>Which one key a request carries, from <c>Authorization: Bearer</c> or <c>X-Api-Key</c>.</summary>
public sealed class ApiKeyCredentialsTests
{
    [Theory]
    [InlineData("Bearer pk_test_abc", null, CredentialOutcome.Found, "pk_test_abc")]
    [InlineData("bearer pk_test_abc", null, CredentialOutcome.Found, "pk_test_abc")]
    [InlineData("BEARER   pk_test_abc  ", null, CredentialOutcome.Found, "pk_test_abc")]
    [InlineData(null, "pk_test_abc", CredentialOutcome.Found, "pk_test_abc")]
    [InlineData(null, " pk_test_abc ", CredentialOutcome.Found, "pk_test_abc")]
    [InlineData("Bearer ", null, CredentialOutcome.Found, "")]
    [InlineData(null, "", CredentialOutcome.Found, "")]
    [InlineData(null, null, CredentialOutcome.Absent, null)]
    [InlineData("Basic dXNlcjpwYXNz", null, CredentialOutcome.WrongScheme, null)]
    [InlineData("Bearer", null, CredentialOutcome.Found, "")]
    [InlineData("Bearerpk_test_abc", null, CredentialOutcome.WrongScheme, null)]
    [InlineData("pk_test_abc", null, CredentialOutcome.WrongScheme, null)]
    [InlineData("Bearer pk_test_abc", "pk_test_abc", CredentialOutcome.Ambiguous, null)]
    [InlineData("Basic dXNlcjpwYXNz", "pk_test_abc", CredentialOutcome.Ambiguous, null)]
    public void Read_Headers_FindsOneKeyOrSaysWhyNot(string? authorization, string? apiKey, CredentialOutcome outcome, string? token)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (authorization is not null)
        {
            headers.Authorization = authorization;
        }

        if (apiKey is not null)
        {
            headers[ApiKeyDefaults.HeaderName] = apiKey;
        }

        var read = ApiKeyCredentials.Read(headers);

        Assert.Equal(outcome, read.Outcome);
        Assert.Equal(token, read.Token);
    }

    [Fact]
    public void Read_TwoAuthorizationHeaders_IsAmbiguous()
    {
        var headers = new HeaderDictionary { ["Authorization"] = new StringValues(["Bearer a", "Bearer b"]) };

        Assert.Equal(CredentialOutcome.Ambiguous, ApiKeyCredentials.Read(headers).Outcome);
    }

    [Fact]
    public void Read_TwoApiKeyHeaders_IsAmbiguous()
    {
        var headers = new HeaderDictionary { [ApiKeyDefaults.HeaderName] = new StringValues(["a", "b"]) };

        Assert.Equal(CredentialOutcome.Ambiguous, ApiKeyCredentials.Read(headers).Outcome);
    }
}
