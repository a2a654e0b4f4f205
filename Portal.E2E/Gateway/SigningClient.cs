using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.E2E.Gateway;

/// <summary>
/// An RFC 9421 client that is not the Portal's: <c>SigningClient/sign-request.mjs</c>, which signs with the
/// npm package <c>http-message-signatures</c> (pinned in its package-lock.json) and sends with Node.js's
/// own http module. The first use installs the package with <c>npm ci</c> when scripts/test.sh has not.
/// </summary>
public static class SigningClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>
    /// What to sign (see sign-request.mjs): <paramref name="Components"/> are the covered components
    /// in order; <paramref name="Created"/> in unix seconds (now when null); <paramref name="Send"/> false
    /// only signs. With a <paramref name="Body"/> the script adds Content-Digest (sha-256) and Content-Length.
    /// </summary>
    public sealed record Input(
        string Url,
        string Method,
        IReadOnlyDictionary<string, string> Headers,
        string? Body,
        string KeyId,
        string Algorithm,
        string? SecretBase64,
        string? PrivateKeyPem,
        IReadOnlyList<string> Components,
        long? Created = null,
        string? Nonce = null,
        string? Tag = null,
        bool Send = true);

    /// <summary>The request as signed (its headers with Signature, Signature-Input and, with a body, Content-Digest).</summary>
    public sealed record SignedRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body)
    {
        /// <summary>The headers in the order the script produced them, for sending again as they are.</summary>
        public (string Name, string Value)[] HeaderList => [.. Headers.Select(h => (h.Key, h.Value))];

        public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>One signing: the request, the signature base the library signed (RFC 9421 section 2.5), and the answer when it was sent.</summary>
    public sealed record Exchange(SignedRequest Request, string SignatureBase, RawHttp.Response? Response)
    {
        /// <summary>What a failed assertion should show: the answer and the exact text that was signed.</summary>
        public string Describe() =>
            $"{Response?.Status} X-Auth-Code={Response?.Header("X-Auth-Code")} WWW-Authenticate={Response?.Header("WWW-Authenticate")} " +
            $"Accept-Signature={Response?.Header("Accept-Signature")}\nSignature-Input: {Request.Header("Signature-Input")}\nSigned base:\n{SignatureBase}";
    }

    /// <summary>Signs (and by default sends) one request with http-message-signatures.</summary>
    public static async Task<Exchange> SignAsync(Input input)
    {
        using var output = await RunAsync(JsonSerializer.Serialize(input, Json));
        var root = output.RootElement;
        var request = root.GetProperty("request");
        var signed = new SignedRequest(
            request.GetProperty("method").GetString()!,
            request.GetProperty("url").GetString()!,
            Headers(request.GetProperty("headers")),
            request.GetProperty("body").ValueKind == JsonValueKind.String ? request.GetProperty("body").GetString() : null);
        RawHttp.Response? response = null;
        if (root.TryGetProperty("response", out var answer))
        {
            var headers = Headers(answer.GetProperty("headers"));
            response = new RawHttp.Response(
                answer.GetProperty("status").GetInt32(),
                new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase),
                answer.GetProperty("body").GetString() ?? "");
        }

        return new Exchange(signed, root.GetProperty("signatureBase").GetString()!, response);
    }

    /// <summary>A new key pair made by Node.js: PKCS#8 private key and SPKI public key, both PEM.</summary>
    public static async Task<(string PrivateKeyPem, string PublicKeyPem)> GenerateKeyPairAsync(string algorithm)
    {
        using var output = await RunAsync(JsonSerializer.Serialize(new { generate = algorithm }, Json));
        return (output.RootElement.GetProperty("privateKeyPem").GetString()!, output.RootElement.GetProperty("publicKeyPem").GetString()!);
    }

    /// <summary>Header values as Node.js reports them: a string, or an array for a repeated header (joined with ", ").</summary>
    private static Dictionary<string, string> Headers(JsonElement headers)
    {
        var result = new Dictionary<string, string>();
        foreach (var header in headers.EnumerateObject())
        {
            result[header.Name] = header.Value.ValueKind == JsonValueKind.Array
                ? string.Join(", ", header.Value.EnumerateArray().Select(v => v.GetString()))
                : header.Value.ToString();
        }

        return result;
    }

    private static async Task<JsonDocument> RunAsync(string input)
    {
        var folder = await EnsureInstalledAsync();
        var (exitCode, stdout, stderr) = await RunProcessAsync(Node(), folder, input, "sign-request.mjs");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"sign-request.mjs exited with {exitCode}: {stderr}");
        }

        return JsonDocument.Parse(stdout);
    }

    /// <summary>The client's folder, with http-message-signatures installed (<c>npm ci</c> the first time, exactly as locked).</summary>
    private static async Task<string> EnsureInstalledAsync()
    {
        var folder = Path.Combine(RepositoryRoot(), "Portal.E2E", "Gateway", "SigningClient");
        var installed = Path.Combine(folder, "node_modules", "http-message-signatures", "package.json");
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(installed))
            {
                var (exitCode, _, stderr) = await RunProcessAsync(
                    Npm(), folder, null, "ci", "--no-audit", "--no-fund", "--loglevel=error");
                if (exitCode != 0 || !File.Exists(installed))
                {
                    throw new InvalidOperationException(
                        $"'npm ci' in {folder} failed ({exitCode}): {stderr}\nThe signature tests need http-message-signatures from the npm registry; scripts/test.sh installs it.");
                }
            }
        }
        finally
        {
            Installing.Release();
        }

        return folder;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(string program, string folder, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string Node() => FindOnPath("node")
        ?? throw new InvalidOperationException("Node.js is not installed, and the signature tests sign with it. Install Debian's 'nodejs' and 'npm' packages (scripts/test.sh does this).");

    private static string Npm() => FindOnPath("npm")
        ?? throw new InvalidOperationException("npm is not installed; install Debian's 'npm' package (scripts/test.sh does this).");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Portal.sln above {AppContext.BaseDirectory}.");
    }
}
