package dev.capstan.node;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * USD per million tokens by model. Built-in list prices for common models; {@code capstan.executor.llm.prices}
 * overrides or extends them. A model matches an entry equal to it or that it starts with (dated snapshots).
 */
public class PriceTable {

    public record Price(double inputPerMtok, double outputPerMtok) {
    }

    private final Map<String, Price> prices = new HashMap<>(Map.of(
            "gpt-4o-mini", new Price(0.15, 0.60),
            "gpt-4o", new Price(2.50, 10.00),
            "gpt-4.1-mini", new Price(0.40, 1.60),
            "gpt-4.1", new Price(2.00, 8.00),
            "claude-3-5-haiku", new Price(0.80, 4.00),
            "claude-3-5-sonnet", new Price(3.00, 15.00),
            "claude-sonnet-4", new Price(3.00, 15.00),
            "claude-opus-4", new Price(15.00, 75.00),
            "mock", new Price(0, 0)));

    public PriceTable(NodeRuntimeSettings config) {
        config.llm().prices().forEach((model, p) -> prices.put(model, new Price(p.inputPerMtok(), p.outputPerMtok())));
    }

    public Optional<Price> find(String model) {
        if (model == null) {
            return Optional.empty();
        }
        Price exact = prices.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        return prices.entrySet().stream().filter(e -> model.startsWith(e.getKey()))
                .max(Map.Entry.comparingByKey(java.util.Comparator.comparingInt(String::length)))
                .map(Map.Entry::getValue);
    }

    /** The cost of a call, rounded to a millionth of a dollar; null when the model is not priced. */
    public Double usd(String model, long inputTokens, long outputTokens) {
        return find(model).map(p -> BigDecimal.valueOf(p.inputPerMtok()).multiply(BigDecimal.valueOf(inputTokens))
                .add(BigDecimal.valueOf(p.outputPerMtok()).multiply(BigDecimal.valueOf(outputTokens)))
                .divide(BigDecimal.valueOf(1_000_000), 6, RoundingMode.HALF_UP).doubleValue()).orElse(null);
    }
}
