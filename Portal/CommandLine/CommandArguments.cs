namespace Portal.CommandLine;

/// <summary>
/// "command verb [operand ...] --name value ..." with repeatable options. Only commands that
/// declare operands take bare words after the verb, so a stray word elsewhere is refused.
/// </summary>
public sealed class CommandArguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);

    private CommandArguments(string command, string verb, IReadOnlyList<string> operands)
    {
        Command = command;
        Verb = verb;
        Operands = operands;
    }

    public string Command { get; }

    public string Verb { get; }

    /// <summary>The bare words after the verb, as many as the command declared.</summary>
    public IReadOnlyList<string> Operands { get; }

    /// <summary>Parses the arguments; <paramref name="operands"/> names the bare words the command takes after its verb.</summary>
    public static CommandArguments Parse(string[] args, params string[] operands)
    {
        if (args.Length < 2)
        {
            throw new ArgumentException("a command needs a verb, e.g. 'admin create'.");
        }

        var firstOption = 2 + operands.Length;
        if (args.Length < firstOption || args[2..firstOption].Any(a => a.StartsWith('-')))
        {
            throw new ArgumentException($"'{args[0]} {args[1]}' needs {string.Join(" ", operands)}.");
        }

        var parsed = new CommandArguments(args[0], args[1], args[2..firstOption]);
        for (var i = firstOption; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length < 3)
            {
                throw new ArgumentException($"unexpected argument '{arg}'.");
            }

            if (arg == "--password")
            {
                throw new ArgumentException($"passwords are never taken as arguments; set {PortalCommandLine.PasswordVariable} or use standard input.");
            }

            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"option '{arg}' needs a value.");
            }

            var name = arg[2..];
            if (!parsed._options.TryGetValue(name, out var values))
            {
                parsed._options[name] = values = [];
            }

            values.Add(args[++i]);
        }

        return parsed;
    }

    public string Single(string name) =>
        Optional(name) ?? throw new ArgumentException($"option '--{name}' is required.");

    public string? Optional(string name) => _options.TryGetValue(name, out var values)
        ? values.Count == 1 ? values[0] : throw new ArgumentException($"option '--{name}' is given more than once.")
        : null;

    public IReadOnlyList<string> Many(string name) => _options.TryGetValue(name, out var values) ? values : [];
}
