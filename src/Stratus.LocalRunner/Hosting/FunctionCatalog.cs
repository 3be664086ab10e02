using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Stratus.LocalRunner.Hosting;

/// <summary>
/// The <c>[Function]</c> methods of an assembly, sorted by trigger: what the Functions host would find in
/// functions.metadata, read here by reflection so the runner hosts exactly the same set.
/// </summary>
public sealed class FunctionCatalog
{
    private FunctionCatalog(IReadOnlyList<FunctionMethod> functions) => Functions = functions;

    public IReadOnlyList<FunctionMethod> Functions { get; }

    public IEnumerable<FunctionMethod> Http => Functions.Where(f => f.Trigger is HttpTriggerAttribute);
    public IEnumerable<FunctionMethod> Timers => Functions.Where(f => f.Trigger is TimerTriggerAttribute);
    public IEnumerable<FunctionMethod> Orchestrators => Functions.Where(f => f.Trigger is OrchestrationTriggerAttribute);
    public IEnumerable<FunctionMethod> Activities => Functions.Where(f => f.Trigger is ActivityTriggerAttribute);

    public static FunctionCatalog FromAssembly(Assembly assembly) => new(
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(p => p.Function is not null)
            .Select(p => FunctionMethod.From(p.Function!.Name, p.Method))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToArray());
}

/// <summary>One function: its name, method, trigger attribute and the parameter that carries the trigger.</summary>
public sealed record FunctionMethod(string Name, MethodInfo Method, Attribute Trigger, ParameterInfo TriggerParameter)
{
    /// <summary>
    /// By position, not reference: reflection may hand out distinct ParameterInfo objects for one parameter when
    /// several hosts read the same method at once (two runners in one test process).
    /// </summary>
    public bool IsTrigger(ParameterInfo parameter) => parameter.Position == TriggerParameter.Position;

    public static FunctionMethod From(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            var trigger = parameter.GetCustomAttributes().FirstOrDefault(a =>
                a is HttpTriggerAttribute or TimerTriggerAttribute or OrchestrationTriggerAttribute or ActivityTriggerAttribute);
            if (trigger is not null)
            {
                return new FunctionMethod(name, method, trigger, parameter);
            }
        }

        throw new InvalidOperationException($"Function {name} ({method.DeclaringType?.Name}.{method.Name}) has a trigger the local runner does not host.");
    }
}
