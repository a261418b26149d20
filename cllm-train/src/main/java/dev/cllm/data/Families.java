package dev.cllm.data;

import static dev.cllm.data.Gen.a;
import static dev.cllm.data.Gen.cap;
import static dev.cllm.data.Gen.plural;
import static dev.cllm.data.Lexicon.*;

import dev.cllm.data.Gen.Person;
import dev.cllm.data.Solution.Calc;
import java.util.List;

/**
 * The problem families. Each family builds the solution first (so numbers are drawn in one fixed order)
 * and then writes the question in the requested phrasing; the last phrasing of each family is the
 * held-out one. Solutions use one fixed sentence style per family.
 */
final class Families {
    private Families() {}

    /** Fills "{}" placeholders in order. */
    static String f(String template, Object... args) {
        StringBuilder sb = new StringBuilder(template.length() + 32);
        int ai = 0;
        int i = 0;
        while (true) {
            int j = template.indexOf("{}", i);
            if (j < 0) break;
            sb.append(template, i, j).append(args[ai++]);
            i = j + 2;
        }
        if (ai != args.length) throw new IllegalArgumentException("template arguments: " + template);
        return sb.append(template, i, template.length()).toString();
    }

    /** "1 cup", "3 cups". */
    static String cups(int n) {
        return n == 1 ? "1 cup" : n + " cups";
    }

    /** The article before a number: "an" for 8, 11, 18, 80-89, 800-899, ...; "a" otherwise. */
    static String an(long n) {
        String d = Long.toString(n);
        boolean eleven = (d.length() % 3 == 2) && (d.startsWith("11") || d.startsWith("18"));
        return d.startsWith("8") || eleven ? "an" : "a";
    }

    static final List<Family> ALL = List.of(
            new Family("shopping_total", 4, Families::shoppingTotal),
            new Family("shopping_change", 4, Families::shoppingChange),
            new Family("shopping_change_three_items", 3, Families::shoppingChangeThree),
            new Family("unit_price", 4, Families::unitPrice),
            new Family("discount_percent", 4, Families::discountPercent),
            new Family("sales_tax", 3, Families::salesTax),
            new Family("bulk_discount_total", 3, Families::bulkDiscount),
            new Family("percent_of_group", 4, Families::percentOfGroup),
            new Family("fraction_of_group", 4, Families::fractionOfGroup),
            new Family("fraction_then_rest", 3, Families::fractionThenRest),
            new Family("ages_times_as_old", 4, Families::agesTimes),
            new Family("ages_sum", 3, Families::agesSum),
            new Family("ages_future_past", 3, Families::agesFuturePast),
            new Family("distance_speed", 4, Families::distanceSpeed),
            new Family("travel_time", 4, Families::travelTime),
            new Family("speed_from_distance", 3, Families::speedFromDistance),
            new Family("work_together", 4, Families::workTogether),
            new Family("split_bill", 4, Families::splitBill),
            new Family("shared_job_days", 3, Families::sharedJobDays),
            new Family("savings_weeks", 4, Families::savingsWeeks),
            new Family("savings_goal", 4, Families::savingsGoal),
            new Family("allowance_net", 3, Families::allowanceNet),
            new Family("recipe_scaling", 4, Families::recipeScaling),
            new Family("recipe_batches_total", 3, Families::recipeBatches),
            new Family("area_cost", 4, Families::areaCost),
            new Family("fence_perimeter", 3, Families::fencePerimeter),
            new Family("square_perimeter_area", 3, Families::squarePerimeterArea),
            new Family("wages_hours", 4, Families::wagesHours),
            new Family("bake_sale_profit", 4, Families::bakeSaleProfit),
            new Family("nested_containers", 4, Families::nestedContainers),
            new Family("give_away_remaining", 4, Families::giveAway),
            new Family("comparison_chain", 3, Families::comparisonChain),
            new Family("hours_to_minutes", 3, Families::hoursToMinutes),
            new Family("daily_increase", 3, Families::dailyIncrease),
            new Family("repeated_growth", 3, Families::repeatedGrowth),
            new Family("fuel_cost", 3, Families::fuelCost),
            new Family("tickets", 4, Families::tickets),
            new Family("average", 3, Families::average),
            new Family("book_pages", 4, Families::bookPages),
            new Family("tank_fill", 3, Families::tankFill),
            new Family("coins_value", 3, Families::coinsValue),
            new Family("rope_pieces", 3, Families::ropePieces),
            new Family("party_packs", 3, Families::partyPacks),
            new Family("start_amount", 3, Families::startAmount),
            new Family("seats_rows", 3, Families::seatsRows),
            new Family("ratio_share", 3, Families::ratioShare),
            new Family("simple_more_fewer", 4, Families::simpleMoreFewer),
            new Family("weekly_total", 3, Families::weeklyTotal),
            new Family("coupon_and_change", 3, Families::couponChange),
            new Family("party_cost_split", 3, Families::partyCostSplit),
            new Family("harvest_sales", 3, Families::harvestSales),
            new Family("wages_bonus_spending", 3, Families::wagesBonusSpending),
            new Family("class_supplies_budget", 3, Families::classSuppliesBudget));

    // ---------------------------------------------------------------- shopping and money

    static String shoppingTotal(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String i1 = g.word(CHEAP_ITEMS, null);
        String i2 = g.word(CHEAP_ITEMS, i1);
        int a = g.n(2, 9), x = g.n(1, 15), b = g.n(2, 9), y = g.n(1, 15);
        Calc c1 = s.mul(a, x);
        s.line(f("The {} cost {} dollars.", plural(i1), c1));
        Calc c2 = s.mul(b, y);
        s.line(f("The {} cost {} dollars.", plural(i2), c2));
        Calc t = s.add(c1.v(), c2.v());
        s.line(f("{} spends {} dollars in total.", p, t));
        switch (g.t) {
            case 0:
                return f(
                        "{} buys {} {} for ${} each and {} {} for ${} each. How much money does {} spend in total?",
                        p,
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y,
                        p.he());
            case 1:
                return f(
                        "At the store, {} picks up {} {} that cost ${} each and {} {} that cost ${} each. "
                                + "How many dollars does {} pay altogether?",
                        p,
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y,
                        p);
            case 2:
                return f(
                        "One {} costs ${} and one {} costs ${}. {} wants {} {} and {} {}. How much will {} pay?",
                        i1,
                        x,
                        i2,
                        y,
                        p,
                        a,
                        plural(i1),
                        b,
                        plural(i2),
                        p.he());
            default:
                return f(
                        "{} bought {} {} at ${} apiece and {} {} at ${} apiece. What was the total cost in dollars?",
                        p,
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y);
        }
    }

    static String shoppingChange(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(CHEAP_ITEMS, null);
        int n = g.n(2, 9), x = g.n(1, 12);
        int bill = g.pick(20, 50, 100);
        Calc cost = s.mul(n, x);
        s.line(f("The {} cost {} dollars.", plural(it), cost));
        Calc ch = s.sub(bill, cost.v());
        s.line(f("{} gets {} dollars in change.", p, ch));
        switch (g.t) {
            case 0:
                return f(
                        "{} buys {} {} that cost ${} each. {} pays with a ${} bill. How much change does {} get?",
                        p,
                        n,
                        plural(it),
                        x,
                        p.He(),
                        bill,
                        p.he());
            case 1:
                return f(
                        "{} has a ${} bill and spends it on {} {} at ${} each. How many dollars of change should "
                                + "{} receive?",
                        p,
                        bill,
                        n,
                        plural(it),
                        x,
                        p.he());
            case 2:
                return f(
                        "Each {} costs ${}. If {} buys {} of them and hands the cashier ${}, how much change "
                                + "does {} get back?",
                        it,
                        x,
                        p,
                        n,
                        bill,
                        p.he());
            default:
                return f(
                        "{} paid for {} {} with ${}. Each {} was ${}. How much money did {} get back?",
                        p,
                        n,
                        plural(it),
                        bill,
                        it,
                        x,
                        p.he());
        }
    }

    static String shoppingChangeThree(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String i1 = g.word(CHEAP_ITEMS, null);
        String i2 = g.word(CHEAP_ITEMS, i1);
        String i3;
        do {
            i3 = g.word(CHEAP_ITEMS, i2);
        } while (i3.equals(i1));
        int a = g.n(2, 6), x = g.n(1, 9), b = g.n(2, 6), y = g.n(1, 9), c = g.n(2, 6), z = g.n(1, 9);
        int bill = g.pick(50, 100, 200);
        Calc c1 = s.mul(a, x);
        s.line(f("The {} cost {} dollars.", plural(i1), c1));
        Calc c2 = s.mul(b, y);
        s.line(f("The {} cost {} dollars.", plural(i2), c2));
        Calc c3 = s.mul(c, z);
        s.line(f("The {} cost {} dollars.", plural(i3), c3));
        Calc t1 = s.add(c1.v(), c2.v());
        Calc t2 = s.add(t1.v(), c3.v());
        s.line(f("Together they cost {} and {} dollars.", t1, t2));
        Calc ch = s.sub(bill, t2.v());
        s.line(f("{} gets {} dollars in change.", p, ch));
        switch (g.t) {
            case 0:
                return f(
                        "{} buys {} {} at ${} each, {} {} at ${} each and {} {} at ${} each. {} pays with ${}. "
                                + "How much change does {} get?",
                        p,
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y,
                        c,
                        plural(i3),
                        z,
                        p.He(),
                        bill,
                        p.he());
            case 1:
                return f(
                        "{} goes shopping with ${}. {} buys {} {} for ${} each, {} {} for ${} each, and {} {} for "
                                + "${} each. How much money does {} have left?",
                        p,
                        bill,
                        p.He(),
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y,
                        c,
                        plural(i3),
                        z,
                        p.he());
            default:
                return f(
                        "With ${}, {} paid for {} {} costing ${} each, {} {} costing ${} each and {} {} costing "
                                + "${} each. How many dollars were left over?",
                        bill,
                        p,
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y,
                        c,
                        plural(i3),
                        z);
        }
    }

    static String unitPrice(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(CHEAP_ITEMS, null);
        int n = g.n(2, 9), u = g.n(1, 15), m = g.n(2, 12);
        if (m == n) m++;
        Calc one = s.div(n * u, n);
        s.line(f("One {} costs {} dollars.", it, one));
        Calc tot = s.mul(one.v(), m);
        s.line(f("So {} {} cost {} dollars.", m, plural(it), tot));
        switch (g.t) {
            case 0:
                return f("{} {} cost ${}. How much do {} {} cost?", n, plural(it), n * u, m, plural(it));
            case 1:
                return f(
                        "{} paid ${} for {} {}. At the same price, how much would {} {} cost?",
                        p,
                        n * u,
                        n,
                        plural(it),
                        m,
                        plural(it));
            case 2:
                return f(
                        "A shop sells {} {} for ${}. {} wants to buy {} {}. How many dollars will {} spend?",
                        n,
                        plural(it),
                        n * u,
                        p,
                        m,
                        plural(it),
                        p.he());
            default:
                return f(
                        "If a pack of {} {} is priced at ${}, what is the price of {} {} at that rate?",
                        n,
                        plural(it),
                        n * u,
                        m,
                        plural(it));
        }
    }

    static String discountPercent(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(PRICEY_ITEMS, null);
        int r = g.pick(10, 20, 30, 40, 50, 25, 10, 20);
        int price;
        Calc disc;
        if (r == 25) {
            price = g.m(20, 200, 4);
            disc = s.div(price, 4);
            s.line(f("25% is one quarter, so the discount is {} dollars.", disc));
        } else if (r == 50) {
            price = g.m(20, 200, 2);
            disc = s.div(price, 2);
            s.line(f("50% is one half, so the discount is {} dollars.", disc));
        } else {
            price = g.m(20, 200, 10);
            Calc tenth = s.div(price, 10);
            s.line(f("10% of {} is {} dollars.", price, tenth));
            if (r == 10) {
                disc = tenth;
            } else {
                disc = s.mul(tenth.v(), r / 10);
                s.line(f("So the {}% discount is {} dollars.", r, disc));
            }
        }
        Calc sale = s.sub(price, disc.v());
        s.line(f("The sale price is {} dollars.", sale));
        switch (g.t) {
            case 0:
                return f("{} costs ${}. It is on sale for {}% off. What is the sale price?", cap(a(it)), price, r);
            case 1:
                return f(
                        "{} wants to buy {} that normally costs ${}. The store gives a {}% discount. How much does "
                                + "{} pay?",
                        p, a(it), price, r, p.he());
            case 2:
                return f(
                        "The price of {} is ${}, but today everything is {}% off. How many dollars does {} cost "
                                + "today?",
                        a(it), price, r, a(it));
            default:
                return f(
                        "{} found {} marked ${} with a {}% discount sticker. What price did {} pay after the "
                                + "discount?",
                        p, a(it), price, r, p.he());
        }
    }

    static String salesTax(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(PRICEY_ITEMS, null);
        int price = g.m(20, 300, 10);
        int r = g.pick(10, 10, 20);
        Calc tenth = s.div(price, 10);
        s.line(f("10% of {} is {} dollars.", price, tenth));
        Calc tax = tenth;
        if (r == 20) {
            tax = s.mul(tenth.v(), 2);
            s.line(f("So the 20% tax is {} dollars.", tax));
        }
        Calc tot = s.add(price, tax.v());
        s.line(f("The total cost is {} dollars.", tot));
        switch (g.t) {
            case 0:
                return f("{} costs ${} before tax. The tax is {}%. What is the total cost?", cap(a(it)), price, r);
            case 1:
                return f(
                        "{} buys {} for ${} and has to pay {}% sales tax on it. How much does {} pay in all?",
                        p, a(it), price, r, p.he());
            default:
                return f("With a {}% tax added, how much does {} pay for {} priced at ${}?", r, p, a(it), price);
        }
    }

    static String bulkDiscount(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(CHEAP_ITEMS, null);
        int n = g.n(5, 12), x = g.m(2, 20, 2);
        int k = g.n(1, 3);
        Calc tot = s.mul(n, x);
        s.line(f("Without the discount, the {} cost {} dollars.", plural(it), tot));
        if (tot.v() % 10 != 0) throw Solution.Reject.INSTANCE;
        Calc tenth = s.div(tot.v(), 10);
        s.line(f("10% of {} is {} dollars.", tot.v(), tenth));
        Calc disc = tenth;
        if (k > 1) {
            disc = s.mul(tenth.v(), k);
            s.line(f("So the discount is {} dollars.", disc));
        }
        Calc pay = s.sub(tot.v(), disc.v());
        s.line(f("The total after the discount is {} dollars.", pay));
        switch (g.t) {
            case 0:
                return f(
                        "{} buys {} {} at ${} each. Because {} buys so many, {} gets {}% off the total. How much "
                                + "does {} pay?",
                        p, n, plural(it), x, p.he(), p.he(), k * 10, p.he());
            case 1:
                return f(
                        "A store sells {} for ${} each and gives {}% off orders of 5 or more. How much do {} {} "
                                + "cost?",
                        plural(it), x, k * 10, n, plural(it));
            default:
                return f(
                        "{} ordered {} {} priced at ${} each, and a coupon took {}% off the whole order. What "
                                + "did {} pay?",
                        p, n, plural(it), x, k * 10, p.he());
        }
    }

    // ---------------------------------------------------------------- percentages and fractions of groups

    static String percentOfGroup(Gen g) {
        Solution s = g.s;
        int total = g.m(20, 100, 10);
        int k = g.n(1, 9);
        String grp = g.pick("class", "club", "school bus", "camp group");
        String[] ab = g.pick(new String[] {"girls", "boys"}, new String[] {"boys", "girls"});
        Calc tenth = s.div(total, 10);
        s.line(f("10% of {} is {}.", total, tenth));
        Calc part = tenth;
        if (k > 1) {
            part = s.mul(tenth.v(), k);
            s.line(f("So {}% is {} {}.", k * 10, part, ab[0]));
        }
        Calc rest = s.sub(total, part.v());
        s.line(f("There are {} {}.", rest, ab[1]));
        int r = k * 10;
        switch (g.t) {
            case 0:
                return f(
                        "There are {} children in a {}. {}% of them are {} and the rest are {}. How many {} are "
                                + "there?",
                        total, grp, r, ab[0], ab[1], ab[1]);
            case 1:
                return f(
                        "A {} has {} children, and {}% of the children are {}. How many of the children are {}?",
                        grp, total, r, ab[0], ab[1]);
            case 2:
                return f(
                        "Of the {} children in a {}, {}% are {}. The others are {}. Find the number of {}.",
                        total, grp, r, ab[0], ab[1], ab[1]);
            default:
                return f(
                        "If {}% of a {} of {} children are {}, how many {} are in the {}?",
                        r, grp, total, ab[0], ab[1], grp);
        }
    }

    static String fractionOfGroup(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String obj = g.word(COUNTABLES, null);
        String c1 = g.word(COLORS, null);
        String c2 = g.word(COLORS, c1);
        int b = g.n(2, 6);
        int a = g.n(1, b - 1);
        if (b % a == 0 && a > 1 || b == 6 && a == 3 || b == 6 && a == 4) throw Solution.Reject.INSTANCE;
        int total = b * g.n(2, 15);
        String[] words = {"", "", "half", "third", "quarter", "fifth", "sixth"};
        String frac = a == 1 ? (b == 2 ? "half" : "one " + words[b]) : a + "/" + b;
        Calc part = s.div(total, b);
        s.line(f("One {} of {} is {}.", b == 2 ? "half" : words[b], total, part));
        if (a > 1) {
            part = s.mul(part.v(), a);
            s.line(f("So {} of the {} are {}.", part, plural(obj), c1));
        }
        Calc rest = s.sub(total, part.v());
        s.line(f("There are {} {} {}.", rest, c2, plural(obj)));
        switch (g.t) {
            case 0:
                return f(
                        "{} has {} {}. {} of them are {} and the rest are {}. How many {} {} does {} have?",
                        p,
                        total,
                        plural(obj),
                        cap(frac),
                        c1,
                        c2,
                        c2,
                        plural(obj),
                        p.he());
            case 1:
                return f(
                        "In a jar there are {} {}. If {} of them are {}, and all the others are {}, how many are {}?",
                        total,
                        plural(obj),
                        frac,
                        c1,
                        c2,
                        c2);
            case 2:
                return f(
                        "{} counted {} {}: {} were {} and the others were {}. How many were {}?",
                        p,
                        total,
                        plural(obj),
                        frac,
                        c1,
                        c2,
                        c2);
            default:
                return f(
                        "Out of {} {} in {} box, {} are {}. The remaining ones are {}. Find how many {} {} "
                                + "there are.",
                        total,
                        plural(obj),
                        p + "'s",
                        frac,
                        c1,
                        c2,
                        c2,
                        plural(obj));
        }
    }

    static String fractionThenRest(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int a = g.n(2, 4), b = g.n(2, 4);
        int money = a * b * g.n(2, 8);
        String x = g.pick("a book", "lunch", "a gift", "a ticket", "a plant", "a game");
        String y = g.word(new String[] {"snacks", "stickers", "a card", "bus fare", "a magazine", "paint"}, null);
        String[] fr = {"", "", "half", "a third", "a quarter"};
        Calc s1 = s.div(money, a);
        s.line(f("{} spends {} dollars on {}.", p, s1, x));
        Calc r1 = s.sub(money, s1.v());
        s.line(f("{} has {} dollars left.", p.He(), r1));
        Calc s2 = s.div(r1.v(), b);
        s.line(f("{} spends {} dollars on {}.", p.He(), s2, y));
        Calc r2 = s.sub(r1.v(), s2.v());
        s.line(f("{} has {} dollars left.", p.He(), r2));
        switch (g.t) {
            case 0:
                return f(
                        "{} has ${}. {} spends {} of it on {} and then {} of what is left on {}. How much money "
                                + "does {} have now?",
                        p,
                        money,
                        p.He(),
                        fr[a],
                        x,
                        fr[b],
                        y,
                        p.he());
            case 1:
                return f(
                        "{} started with ${}. First {} used {} of the money for {}. Then {} spent {} of the "
                                + "remaining money on {}. How many dollars are left?",
                        p,
                        money,
                        p.he(),
                        fr[a],
                        x,
                        p.he(),
                        fr[b],
                        y);
            default:
                return f(
                        "After spending {} of ${} on {} and then {} of the rest on {}, how much money does {} "
                                + "still have?",
                        fr[a],
                        money,
                        x,
                        fr[b],
                        y,
                        p);
        }
    }

    // ---------------------------------------------------------------- ages

    static String agesTimes(Gen g) {
        Solution s = g.s;
        Person a = g.person(), b = g.person();
        int x = g.n(2, 15), k = g.n(2, 5), y = g.n(2, 12);
        boolean future = g.coin();
        Calc bAge = s.mul(x, k);
        s.line(f("{} is {} years old.", b, bAge));
        Calc r;
        if (future) {
            r = s.add(bAge.v(), y);
            s.line(f("In {} years, {} will be {} years old.", y, b, r));
        } else {
            r = s.sub(bAge.v(), y);
            s.line(f("{} years ago, {} was {} years old.", y, b, r));
        }
        String when = future ? f("in {} years", y) : f("{} years ago", y);
        String ask = future ? f("How old will {} be {}?", b, when) : f("How old was {} {}?", b, when);
        String times = k == 2 ? "twice" : k == 3 ? "three times" : k == 4 ? "four times" : "five times";
        switch (g.t) {
            case 0:
                return f("{} is {} years old. {} is {} as old as {}. {}", a, x, b, times, a, ask);
            case 1:
                return f("{}'s age is {} times {}'s age. {} is {}. {}", b, k, a, a, x, ask);
            case 2:
                return f("{} is {} years old, and {} is {} as old. {}", a, x, b, times, ask);
            default:
                return f(
                        "If {} is {} and {} is {} times as old as {}, how old {} {} {}?",
                        a,
                        x,
                        b,
                        k,
                        a,
                        future ? "will" : "was",
                        b,
                        future ? "be " + when : when);
        }
    }

    static String agesSum(Gen g) {
        Solution s = g.s;
        Person a = g.person(), b = g.person(), c = g.person();
        int x = g.n(5, 40), d = g.n(2, 15), e = g.n(1, 9);
        Calc bAge = s.add(x, d);
        s.line(f("{} is {} years old.", b, bAge));
        Calc cAge = s.sub(bAge.v(), e);
        s.line(f("{} is {} years old.", c, cAge));
        Calc ab = s.add(x, bAge.v());
        Calc all = s.add(ab.v(), cAge.v());
        s.line(f("The sum of their ages is {} and {} years.", ab, all));
        switch (g.t) {
            case 0:
                return f(
                        "{} is {} years old. {} is {} years older than {}. {} is {} years younger than {}. What is "
                                + "the sum of their ages?",
                        a,
                        x,
                        b,
                        d,
                        a,
                        c,
                        e,
                        b);
            case 1:
                return f(
                        "{} is {}. {} is {} years older than {}, and {} is {} years younger than {}. How old are "
                                + "the three of them together?",
                        a,
                        x,
                        b,
                        d,
                        a,
                        c,
                        e,
                        b);
            default:
                return f(
                        "Find the total age of {}, {} and {} if {} is {}, {} is {} years older than {}, and {} is "
                                + "{} years younger than {}.",
                        a,
                        b,
                        c,
                        a,
                        x,
                        b,
                        d,
                        a,
                        c,
                        e,
                        b);
        }
    }

    static String agesFuturePast(Gen g) {
        Solution s = g.s;
        Person a = g.person(), b = g.person();
        int y = g.n(2, 10), d = g.n(2, 12);
        int z = g.n(d + y + 3, 60);
        Calc now = s.sub(z, y);
        s.line(f("{} is {} years old now.", a, now));
        Calc bAge = s.sub(now.v(), d);
        s.line(f("{} is {} years old.", b, bAge));
        switch (g.t) {
            case 0:
                return f(
                        "In {} years, {} will be {} years old. {} is {} years younger than {}. How old is {} now?",
                        y,
                        a,
                        z,
                        b,
                        d,
                        a,
                        b);
            case 1:
                return f(
                        "{} will turn {} in {} years. {} is {} years younger than {}. What is {}'s age now?",
                        a,
                        z,
                        y,
                        b,
                        d,
                        a,
                        b);
            default:
                return f(
                        "{} is {} years younger than {}, who will be {} years old {} years from now. How old is "
                                + "{}?",
                        b,
                        d,
                        a,
                        z,
                        y,
                        b);
        }
    }

    // ---------------------------------------------------------------- distance, speed, time

    static String distanceSpeed(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String v = g.word(VEHICLES, null);
        int s1 = g.m(20, 70, 5), t1 = g.n(2, 6);
        boolean two = g.coin();
        int s2 = g.m(20, 70, 5), t2 = g.n(2, 4);
        Calc d1 = s.mul(s1, t1);
        s.line(f("In the first part, {} drives {} miles.", p, d1));
        Calc tot = d1;
        if (two) {
            Calc d2 = s.mul(s2, t2);
            s.line(f("In the second part, {} drives {} miles.", p.he(), d2));
            tot = s.add(d1.v(), d2.v());
            s.line(f("{} drives {} miles in total.", p, tot));
        }
        String second = two ? f(" Then {} drives {} hours at {} miles per hour.", p.he(), t2, s2) : "";
        String secondB = two ? f(" and then {} hours at {} miles per hour", t2, s2) : "";
        switch (g.t) {
            case 0:
                return f(
                        "{} drives {} {} at {} miles per hour for {} hours.{} How many miles does {} drive?",
                        p,
                        p.his(),
                        v,
                        s1,
                        t1,
                        second,
                        p.he());
            case 1:
                return f(
                        "{}'s {} goes {} miles per hour. {} drives it for {} hours{}. How far does {} travel?",
                        p,
                        v,
                        s1,
                        p.He(),
                        t1,
                        secondB,
                        p.he());
            case 2:
                return f(
                        "Driving at a speed of {} miles per hour, {} travels for {} hours{}. What distance does "
                                + "{} cover?",
                        s1,
                        p,
                        t1,
                        secondB,
                        p.he());
            default:
                return f(
                        "How many miles will {} go if {} drives for {} hours at {} miles per hour{}?",
                        p,
                        p.he(),
                        t1,
                        s1,
                        secondB);
        }
    }

    static String travelTime(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String v = g.word(VEHICLES, null);
        int sp = g.m(10, 80, 5), h = g.n(2, 9);
        boolean minutes = g.n(0, 2) == 0;
        Calc t = s.div(sp * h, sp);
        s.line(f("The trip takes {} hours.", t));
        if (minutes) {
            Calc m = s.mul(t.v(), 60);
            s.line(f("That is {} minutes.", m));
        }
        String unit = minutes ? "minutes" : "hours";
        switch (g.t) {
            case 0:
                return f(
                        "A {} travels {} miles at {} miles per hour. How many {} does the trip take?",
                        v,
                        sp * h,
                        sp,
                        unit);
            case 1:
                return f(
                        "{} has to drive {} miles. If {} drives at {} miles per hour, how many {} will it take?",
                        p,
                        sp * h,
                        p.he(),
                        sp,
                        unit);
            case 2:
                return f(
                        "The distance between two towns is {} miles. A {} goes {} miles per hour. How long, in "
                                + "{}, does it take to go from one town to the other?",
                        sp * h,
                        v,
                        sp,
                        unit);
            default:
                return f("At {} miles per hour, how many {} does {} need to ride {} miles?", sp, unit, p, sp * h);
        }
    }

    static String speedFromDistance(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int v = g.n(3, 20), t = g.n(2, 10), t2 = g.n(2, 12);
        if (t2 == t) t2 = t + 1;
        boolean more = g.coin();
        String what = g.pick("runs", "swims", "walks", "bikes");
        Calc sp = s.div(v * t, t);
        s.line(f("{} {} {} meters per minute.", p, what, sp));
        if (more) {
            Calc d = s.mul(sp.v(), t2);
            s.line(f("In {} minutes, {} {} {} meters.", t2, p.he(), what, d));
        }
        String ask = more
                ? f("How many meters does {} go in {} minutes at the same speed?", p.he(), t2)
                : "How many meters does " + p.he() + " go each minute?";
        switch (g.t) {
            case 0:
                return f("{} {} {} meters in {} minutes. {}", p, what, v * t, t, ask);
            case 1:
                return f("In {} minutes, {} {} {} meters. {}", t, p, what, v * t, ask);
            default:
                return f("It takes {} {} minutes to cover {} meters. {}", p, t, v * t, ask);
        }
    }

    // ---------------------------------------------------------------- work and rates

    static String workTogether(Gen g) {
        Solution s = g.s;
        Person a = g.person(), b = g.person();
        String fr = g.word(FRUITS, null);
        int x = g.n(3, 30), y = g.n(3, 30), h = g.n(2, 8);
        Calc r = s.add(x, y);
        s.line(f("Together they pick {} {} per hour.", r, plural(fr)));
        Calc tot = s.mul(r.v(), h);
        s.line(f("In {} hours they pick {} {}.", h, tot, plural(fr)));
        switch (g.t) {
            case 0:
                return f(
                        "{} picks {} {} per hour and {} picks {} {} per hour. How many {} do they pick together in "
                                + "{} hours?",
                        a,
                        x,
                        plural(fr),
                        b,
                        y,
                        plural(fr),
                        plural(fr),
                        h);
            case 1:
                return f(
                        "{} can pick {} {} an hour. {} can pick {} an hour. If they both work for {} hours, how "
                                + "many {} do they pick?",
                        a,
                        x,
                        plural(fr),
                        b,
                        y,
                        h,
                        plural(fr));
            case 2:
                return f(
                        "Working for {} hours, {} picks {} {} each hour while {} picks {} each hour. How many {} "
                                + "do they have at the end?",
                        h,
                        a,
                        x,
                        plural(fr),
                        b,
                        y,
                        plural(fr));
            default:
                return f(
                        "Find the number of {} {} and {} pick in {} hours if their rates are {} and {} {} per "
                                + "hour.",
                        plural(fr),
                        a,
                        b,
                        h,
                        x,
                        y,
                        plural(fr));
        }
    }

    static String splitBill(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int n = g.n(2, 8), each = g.n(5, 30), tip = g.n(2, 20);
        int bill = n * each - tip;
        if (bill < 10) throw Solution.Reject.INSTANCE;
        String meal = g.pick("dinner", "lunch", "pizza", "brunch", "breakfast");
        Calc tot = s.add(bill, tip);
        s.line(f("The total is {} dollars.", tot));
        Calc per = s.div(tot.v(), n);
        s.line(f("Each person pays {} dollars.", per));
        switch (g.t) {
            case 0:
                return f(
                        "{} and {} share a {} bill of ${} and leave a ${} tip. They split the total "
                                + "equally. How much does each person pay?",
                        p,
                        n == 2 ? "a friend" : (n - 1) + " friends",
                        meal,
                        bill,
                        tip);
            case 1:
                return f(
                        "{} people go out for {}. The bill is ${} and they add a tip of ${}. If they share the "
                                + "cost evenly, how many dollars does each person pay?",
                        n,
                        meal,
                        bill,
                        tip);
            case 2:
                return f(
                        "The {} bill for a group of {} came to ${}, plus ${} for the tip. Split evenly, what is "
                                + "each person's share?",
                        meal,
                        n,
                        bill,
                        tip);
            default:
                return f(
                        "{} friends paid ${} for {} and gave a ${} tip, sharing everything equally. What did "
                                + "each friend pay?",
                        n,
                        bill,
                        meal,
                        tip);
        }
    }

    static String sharedJobDays(Gen g) {
        Solution s = g.s;
        int k = g.n(2, 6), per = g.n(2, 6), days = g.n(2, 9);
        String job = g.pick("fences", "rooms", "walls", "gardens", "boats", "desks");
        String verb = job.equals("gardens") ? "plant" : job.equals("desks") ? "build" : "paint";
        Calc each = s.div(k * per * days, k);
        s.line(f("Each worker has {} {} to {}.", each, job, verb));
        Calc d = s.div(each.v(), per);
        s.line(f("It takes {} days.", d));
        switch (g.t) {
            case 0:
                return f(
                        "{} workers share the job of " + verb
                                + "ing {} {} equally. Each worker can {} {} {} a day. How "
                                + "many days will the job take?",
                        k,
                        k * per * days,
                        job,
                        verb,
                        per,
                        job);
            case 1:
                return f(
                        "There are {} {} to {}, split evenly among {} workers. If each worker does {} {} per day, "
                                + "how many days do they need?",
                        k * per * days,
                        job,
                        verb,
                        k,
                        per,
                        job);
            default:
                return f(
                        "How many days will {} workers need to {} {} {} if they divide the work equally and "
                                + "each does {} {} a day?",
                        k,
                        verb,
                        k * per * days,
                        job,
                        per,
                        job);
        }
    }

    static String wagesHours(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int r = g.n(8, 25), h = g.n(2, 8), d = g.n(2, 6);
        String job = g.word(CHORES, null);
        Calc day = s.mul(r, h);
        s.line(f("{} earns {} dollars a day.", p, day));
        Calc tot = s.mul(day.v(), d);
        s.line(f("In {} days {} earns {} dollars.", d, p.he(), tot));
        switch (g.t) {
            case 0:
                return f(
                        "{} earns ${} an hour {}. {} works {} hours a day for {} days. How much does {} earn?",
                        p,
                        r,
                        job,
                        p.He(),
                        h,
                        d,
                        p.he());
            case 1:
                return f(
                        "{} is paid ${} per hour. If {} works {} hours each day, how many dollars does {} make in "
                                + "{} days?",
                        p,
                        r,
                        p.he(),
                        h,
                        p.he(),
                        d);
            case 2:
                return f(
                        "For {}, {} gets ${} per hour. This week {} worked {} days, {} hours each day. What did {} "
                                + "earn this week?",
                        job,
                        p,
                        r,
                        p.he(),
                        d,
                        h,
                        p.he());
            default:
                return f("How much money does {} make working {} hours a day for {} days at ${} an hour?", p, h, d, r);
        }
    }

    static String bakeSaleProfit(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(BAKED, null);
        int n = g.n(10, 60), price = g.n(1, 5), cost = g.n(5, 40);
        Calc inc = s.mul(n, price);
        s.line(f("{} makes {} dollars from selling the {}.", p, inc, plural(it)));
        Calc prof = s.sub(inc.v(), cost);
        s.line(f("{} profit is {} dollars.", cap(p.his()), prof));
        switch (g.t) {
            case 0:
                return f(
                        "{} bakes {} {} and sells them for ${} each. The ingredients cost ${}. How much profit "
                                + "does {} make?",
                        p,
                        n,
                        plural(it),
                        price,
                        cost,
                        p.he());
            case 1:
                return f(
                        "At a bake sale, {} sells {} {} at ${} apiece. {} spent ${} on supplies. How much money "
                                + "did {} make after paying for the supplies?",
                        p,
                        n,
                        plural(it),
                        price,
                        p.He(),
                        cost,
                        p.he());
            case 2:
                return f(
                        "{} spent ${} to make {} {}. {} sold every one of them for ${} each. What was {} profit?",
                        p,
                        cost,
                        n,
                        plural(it),
                        p.He(),
                        price,
                        p.his());
            default:
                return f(
                        "If {} {} sell for ${} each and cost ${} in total to make, what is the profit?",
                        n,
                        plural(it),
                        price,
                        cost);
        }
    }

    // ---------------------------------------------------------------- savings and money over time

    static String savingsWeeks(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int have = g.n(5, 90), per = g.n(2, 25), w = g.n(2, 12);
        Calc saved = s.mul(per, w);
        s.line(f("{} saves {} dollars.", p, saved));
        Calc tot = s.add(have, saved.v());
        s.line(f("{} will have {} dollars.", p.He(), tot));
        switch (g.t) {
            case 0:
                return f(
                        "{} has ${} in a piggy bank. {} saves ${} every week. How much will {} have after {} "
                                + "weeks?",
                        p,
                        have,
                        p.He(),
                        per,
                        p.he(),
                        w);
            case 1:
                return f(
                        "{} already saved ${}. If {} puts away ${} each week for {} weeks, how much money will {} "
                                + "have?",
                        p,
                        have,
                        p.he(),
                        per,
                        w,
                        p.he());
            case 2:
                return f(
                        "Each week {} adds ${} to {} savings, which start at ${}. What are {} savings after {} "
                                + "weeks?",
                        p,
                        per,
                        p.his(),
                        have,
                        p.his(),
                        w);
            default:
                return f(
                        "Starting with ${} and saving ${} a week, how much does {} have at the end of {} weeks?",
                        have,
                        per,
                        p,
                        w);
        }
    }

    static String savingsGoal(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(PRICEY_ITEMS, null);
        int per = g.n(3, 20), w = g.n(2, 12), have = g.n(0, 60);
        int price = have + per * w;
        Calc need = s.sub(price, have);
        s.line(f("{} still needs {} dollars.", p, need));
        Calc weeks = s.div(need.v(), per);
        s.line(f("It will take {} weeks.", weeks));
        switch (g.t) {
            case 0:
                return f(
                        "{} wants to buy {} that costs ${}. {} has ${} and saves ${} a week. How many weeks "
                                + "will it take to have enough money?",
                        p,
                        a(it),
                        price,
                        p.He(),
                        have,
                        per);
            case 1:
                return f(
                        "{} costs ${}. {} has ${} so far and can save ${} each week. In how many weeks can {} "
                                + "buy it?",
                        cap(a(it)),
                        price,
                        p,
                        have,
                        per,
                        p.he());
            case 2:
                return f(
                        "{} is saving for {} priced at ${}. {} has saved ${} already, and {} adds ${} a week. "
                                + "How many more weeks must {} save?",
                        p,
                        a(it),
                        price,
                        p.He(),
                        have,
                        p.he(),
                        per,
                        p.he());
            default:
                return f(
                        "How many weeks of saving ${} a week does {} need to buy {} for ${} if {} already has "
                                + "${}?",
                        per,
                        p,
                        a(it),
                        price,
                        p.he(),
                        have);
        }
    }

    static String allowanceNet(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int spend = g.n(2, 20), net = g.n(1, 15), w = g.n(2, 10);
        int get = spend + net;
        Calc left = s.sub(get, spend);
        s.line(f("{} saves {} dollars each week.", p, left));
        Calc tot = s.mul(left.v(), w);
        s.line(f("In {} weeks {} saves {} dollars.", w, p.he(), tot));
        switch (g.t) {
            case 0:
                return f(
                        "{} gets ${} of allowance each week and spends ${} of it. How much does {} save in {} "
                                + "weeks?",
                        p,
                        get,
                        spend,
                        p.he(),
                        w);
            case 1:
                return f(
                        "Every week {} earns ${} and spends ${} on snacks. How many dollars does {} keep after "
                                + "{} weeks?",
                        p,
                        get,
                        spend,
                        p.he(),
                        w);
            default:
                return f(
                        "If {} receives ${} weekly and uses ${} of it each week, what does {} save over {} " + "weeks?",
                        p,
                        get,
                        spend,
                        p.he(),
                        w);
        }
    }

    static String weeklyTotal(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int a = g.n(2, 12), days = g.n(2, 7), w = g.n(2, 6);
        String act = g.pick("miles", "laps", "push-ups", "pages", "glasses of water", "minutes of piano");
        String verb = act.startsWith("glasses")
                ? "drink"
                : act.startsWith("pages")
                        ? "read"
                        : act.startsWith("minutes")
                                ? "play"
                                : act.startsWith("push") ? "do" : act.equals("laps") ? "swim" : "run";
        String verbs = verb.equals("do") ? "does" : verb + "s";
        Calc week = s.mul(a, days);
        s.line(f("{} {} {} {} each week.", p, verbs, week, act));
        Calc tot = s.mul(week.v(), w);
        s.line(f("In {} weeks that is {} {}.", w, tot, act));
        String obj = act.startsWith("minutes") ? "minutes" : act;
        switch (g.t) {
            case 0:
                return f(
                        "{} {} {} {} a day, {} days a week. How many {} does {} {} in {} weeks?",
                        p,
                        verbs,
                        a,
                        act,
                        days,
                        obj,
                        p.he(),
                        verb,
                        w);
            case 1:
                return f(
                        "On {} days of every week, {} {} {} {}. How many {} is that over {} weeks?",
                        days,
                        p,
                        verbs,
                        a,
                        act,
                        obj,
                        w);
            default:
                return f(
                        "How many {} in total does {} {} in {} weeks if {} {} {} {} on each of {} days a week?",
                        obj,
                        p,
                        verb,
                        w,
                        p.he(),
                        verbs,
                        a,
                        act,
                        days);
        }
    }

    // ---------------------------------------------------------------- recipes

    static String recipeScaling(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(BAKED, null);
        String ing = g.word(INGREDIENTS, null);
        int n = g.n(2, 12), c = g.n(1, 6), k = g.n(2, 6);
        Calc batches = s.div(n * k, n);
        s.line(f("{} {} is {} batches.", n * k, plural(it), batches));
        Calc cups = s.mul(batches.v(), c);
        s.line(f("That needs {} cups of {}.", cups, ing));
        switch (g.t) {
            case 0:
                return f(
                        "A recipe for {} {} uses {} of {}. How many cups of {} does {} need to make {} {}?",
                        n,
                        plural(it),
                        cups(c),
                        ing,
                        ing,
                        p,
                        n * k,
                        plural(it));
            case 1:
                return f(
                        "{} uses {} of {} for every {} {}. How many cups does {} need for {} {}?",
                        p,
                        cups(c),
                        ing,
                        n,
                        plural(it),
                        p.he(),
                        n * k,
                        plural(it));
            case 2:
                return f(
                        "To make {} {}, you need {} of {}. {} wants to make {} {}. How many cups of {} "
                                + "should {} use?",
                        n,
                        plural(it),
                        cups(c),
                        ing,
                        p,
                        n * k,
                        plural(it),
                        ing,
                        p.he());
            default:
                return f(
                        "How many cups of {} are needed for {} {} if {} {} take {}?",
                        ing,
                        n * k,
                        plural(it),
                        n,
                        plural(it),
                        cups(c));
        }
    }

    static String recipeBatches(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String it = g.word(BAKED, null);
        String i1 = g.word(INGREDIENTS, null);
        String i2 = g.word(INGREDIENTS, i1);
        int a = g.n(1, 6), b = g.n(1, 6), k = g.n(2, 8);
        Calc per = s.add(a, b);
        s.line(f("One batch uses {} cups.", per));
        Calc tot = s.mul(per.v(), k);
        s.line(f("{} batches use {} cups.", k, tot));
        switch (g.t) {
            case 0:
                return f(
                        "A batch of {} needs {} of {} and {} of {}. {} makes {} batches. How many cups "
                                + "of {} and {} does {} use in all?",
                        plural(it),
                        cups(a),
                        i1,
                        cups(b),
                        i2,
                        p,
                        k,
                        i1,
                        i2,
                        p.he());
            case 1:
                return f(
                        "{} is making {} batches of {}. Each batch takes {} of {} and {} of {}. How "
                                + "many cups of ingredients does {} need?",
                        p,
                        k,
                        plural(it),
                        cups(a),
                        i1,
                        cups(b),
                        i2,
                        p.he());
            default:
                return f(
                        "If one batch of {} takes {} of {} plus {} of {}, how many cups are needed "
                                + "for {} batches?",
                        plural(it),
                        cups(a),
                        i1,
                        cups(b),
                        i2,
                        k);
        }
    }

    // ---------------------------------------------------------------- geometry

    static String areaCost(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int l = g.n(3, 20), w = g.n(3, 20), c = g.n(2, 9);
        String what = g.pick("carpet", "tile", "wood flooring", "grass sod");
        String room = g.pick("bedroom", "kitchen", "living room", "office", "yard", "hallway");
        Calc area = s.mul(l, w);
        s.line(f("The area is {} square feet.", area));
        Calc cost = s.mul(area.v(), c);
        s.line(f("The {} costs {} dollars.", what, cost));
        switch (g.t) {
            case 0:
                return f(
                        "{}'s {} is {} feet long and {} feet wide. {} costs ${} per square foot. How much will it "
                                + "cost to cover the floor?",
                        p,
                        room,
                        l,
                        w,
                        cap(what),
                        c);
            case 1:
                return f(
                        "{} wants to put {} in {} that measures {} feet by {} feet. The {} costs ${} a square "
                                + "foot. What is the total cost?",
                        p,
                        what,
                        a(room),
                        l,
                        w,
                        what,
                        c);
            case 2:
                return f(
                        "A rectangular {} is {} feet by {} feet. If {} costs ${} for each square foot, how many "
                                + "dollars does it cost to cover it?",
                        room,
                        l,
                        w,
                        what,
                        c);
            default:
                return f(
                        "What does it cost {} to cover {} {} feet by {} feet {} with {} at ${} per square " + "foot?",
                        p,
                        p.his(),
                        l,
                        w,
                        room,
                        what,
                        c);
        }
    }

    static String fencePerimeter(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int l = g.n(5, 40), w = g.n(3, 30), c = g.n(2, 9);
        String place = g.pick("garden", "yard", "field", "pen", "playground");
        Calc half = s.add(l, w);
        s.line(f("The length plus the width is {} meters.", half));
        Calc per = s.mul(half.v(), 2);
        s.line(f("The perimeter is {} meters.", per));
        Calc cost = s.mul(per.v(), c);
        s.line(f("The fence costs {} dollars.", cost));
        switch (g.t) {
            case 0:
                return f(
                        "{}'s {} is a rectangle {} meters long and {} meters wide. Fencing costs ${} per meter. "
                                + "How much does it cost to fence the whole {}?",
                        p,
                        place,
                        l,
                        w,
                        c,
                        place);
            case 1:
                return f(
                        "A rectangular {} measures {} meters by {} meters. {} wants to put a fence around it. "
                                + "If the fence costs ${} a meter, how much will {} pay?",
                        place,
                        l,
                        w,
                        p,
                        c,
                        p.he());
            default:
                return f(
                        "At ${} per meter of fence, what is the cost of fencing {} {} meter by {} meter "
                                + "rectangular {}?",
                        c,
                        an(l),
                        l,
                        w,
                        place);
        }
    }

    static String squarePerimeterArea(Gen g) {
        Solution s = g.s;
        int side = g.n(2, 20);
        String unit = g.pick("centimeters", "meters", "inches", "feet");
        String thing = g.pick("square", "square garden", "square tile", "square poster", "square field");
        Calc sd = s.div(side * 4, 4);
        s.line(f("Each side is {} {} long.", sd, unit));
        Calc area = s.mul(sd.v(), sd.v());
        s.line(f("The area is {} square {}.", area, unit));
        switch (g.t) {
            case 0:
                return f("A {} has a perimeter of {} {}. What is its area in square {}?", thing, side * 4, unit, unit);
            case 1:
                return f(
                        "The distance around a {} is {} {}. Find the area of the {} in square {}.",
                        thing,
                        side * 4,
                        unit,
                        thing,
                        unit);
            default:
                return f(
                        "If the four sides of a {} add up to {} {}, how many square {} is its area?",
                        thing,
                        side * 4,
                        unit,
                        unit);
        }
    }

    // ---------------------------------------------------------------- counting groups of things

    static String nestedContainers(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String outer = g.word(CONTAINERS, null);
        String inner = g.pick("pack", "bag", "row", "stack");
        String obj = g.word(COUNTABLES, null);
        int b = g.n(2, 12), k = g.n(2, 12), q = g.n(2, 9);
        boolean two = g.n(0, 3) > 0;
        Calc tot;
        if (two) {
            Calc packs = s.mul(b, q);
            s.line(f("There are {} {}.", packs, plural(inner)));
            tot = s.mul(packs.v(), k);
            s.line(f("There are {} {}.", tot, plural(obj)));
        } else {
            tot = s.mul(b, k);
            s.line(f("There are {} {}.", tot, plural(obj)));
        }
        String inside = two
                ? f("{} {}, and each {} has {} {}", q, plural(inner), inner, k, plural(obj))
                : f("{} {}", k, plural(obj));
        switch (g.t) {
            case 0:
                return f(
                        "{} has {} {}. Each {} holds {}. How many {} does {} have?",
                        p,
                        b,
                        plural(outer),
                        outer,
                        inside,
                        plural(obj),
                        p.he());
            case 1:
                return f(
                        "There are {} {} in a storeroom. Every {} contains {}. How many {} are there in all?",
                        b,
                        plural(outer),
                        outer,
                        inside,
                        plural(obj));
            case 2:
                return f(
                        "{} bought {} {} of {}. In each {} there are {}. How many {} did {} buy?",
                        p,
                        b,
                        plural(outer),
                        plural(obj),
                        outer,
                        inside,
                        plural(obj),
                        p.he());
            default:
                return f(
                        "Find the total number of {} in {} {} if each {} has {}.",
                        plural(obj),
                        b,
                        plural(outer),
                        outer,
                        inside);
        }
    }

    static String seatsRows(Gen g) {
        Solution s = g.s;
        int r = g.n(4, 20), c = g.n(5, 25);
        int empty = g.n(1, r * c / 2);
        String place = g.pick("theater", "stadium section", "classroom", "concert hall", "bus", "cinema");
        Calc seats = s.mul(r, c);
        s.line(f("The {} has {} seats.", place, seats));
        Calc ppl = s.sub(seats.v(), empty);
        s.line(f("{} people are sitting.", ppl));
        switch (g.t) {
            case 0:
                return f(
                        "A {} has {} rows with {} seats in each row. If {} seats are empty, how many people are "
                                + "sitting?",
                        place,
                        r,
                        c,
                        empty);
            case 1:
                return f(
                        "There are {} rows of {} seats in a {}. All the seats are taken except {}. How many "
                                + "people are in the seats?",
                        r,
                        c,
                        place,
                        empty);
            default:
                return f(
                        "How many seats are filled in a {} with {} rows of {} seats when {} of them are " + "empty?",
                        place,
                        r,
                        c,
                        empty);
        }
    }

    static String partyPacks(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String obj = g.pick("balloon", "party hat", "cupcake", "candle", "sticker", "juice box", "napkin");
        int pack = g.pick(4, 5, 6, 8, 10, 12);
        int guests = g.n(4, 40), each = g.n(1, 5);
        if (guests * each % pack != 0) throw Solution.Reject.INSTANCE;
        Calc need = s.mul(guests, each);
        s.line(f("{} needs {} {}.", p, need, plural(obj)));
        Calc packs = s.div(need.v(), pack);
        s.line(f("{} needs to buy {} packs.", p.He(), packs));
        switch (g.t) {
            case 0:
                return f(
                        "{} invites {} guests to a party and wants {} {} for each guest. {} come in packs of {}. "
                                + "How many packs should {} buy?",
                        p,
                        guests,
                        each,
                        each == 1 ? obj : plural(obj),
                        cap(plural(obj)),
                        pack,
                        p.he());
            case 1:
                return f(
                        "{} come in packs of {}. {} is giving {} {} to each of {} children. How many packs does "
                                + "{} need?",
                        cap(plural(obj)),
                        pack,
                        p,
                        each,
                        each == 1 ? obj : plural(obj),
                        guests,
                        p.he());
            default:
                return f(
                        "How many packs of {} {} does {} need to give {} guests {} {} each?",
                        pack,
                        plural(obj),
                        p,
                        guests,
                        each,
                        each == 1 ? obj : plural(obj));
        }
    }

    // ---------------------------------------------------------------- more, fewer, giving away

    static String giveAway(Gen g) {
        Solution s = g.s;
        Person p = g.person(), a = g.person(), b = g.person();
        String obj = g.word(COUNTABLES, null);
        int x = g.n(2, 30), y = g.n(2, 30);
        int n = x + y + g.n(1, 60);
        boolean buys = g.n(0, 2) == 0;
        Calc r1 = s.sub(n, x);
        s.line(f("After giving some to {}, {} has {} {}.", a, p, r1, plural(obj)));
        Calc r2;
        if (buys) {
            r2 = s.add(r1.v(), y);
            s.line(f("After buying more, {} has {} {}.", p.he(), r2, plural(obj)));
        } else {
            r2 = s.sub(r1.v(), y);
            s.line(f("After giving some to {}, {} has {} {} left.", b, p.he(), r2, plural(obj)));
        }
        String second = buys ? f("then buys {} more", y) : f("gives {} to {}", y, b);
        switch (g.t) {
            case 0:
                return f(
                        "{} has {} {}. {} gives {} to {} and {}. How many {} does {} have now?",
                        p,
                        n,
                        plural(obj),
                        p.He(),
                        x,
                        a,
                        second,
                        plural(obj),
                        p.he());
            case 1:
                return f(
                        "{} had {} {}. {} gave {} of them to {}, and then {} {}. How many {} does {} have?",
                        p,
                        n,
                        plural(obj),
                        p.He(),
                        x,
                        a,
                        p.he(),
                        buys ? f("bought {} more", y) : f("gave {} to {}", y, b),
                        plural(obj),
                        p.he());
            case 2:
                return f(
                        "There were {} {} in {}'s collection. {} took {} of them, and {} {}. How many are in the "
                                + "collection now?",
                        n,
                        plural(obj),
                        p,
                        a,
                        x,
                        p,
                        buys ? f("added {} more", y) : f("gave {} to {}", y, b));
            default:
                return f(
                        "Starting with {} {}, {} gives {} away to {} and {}. How many {} remain with {}?",
                        n,
                        plural(obj),
                        p,
                        x,
                        a,
                        second,
                        plural(obj),
                        p.him());
        }
    }

    static String comparisonChain(Gen g) {
        Solution s = g.s;
        Person a = g.person(), b = g.person(), c = g.person();
        String obj = g.word(COUNTABLES, null);
        int x = g.n(2, 25), k = g.n(2, 4), d = g.n(1, 20);
        Calc bb = s.mul(x, k);
        s.line(f("{} has {} {}.", b, bb, plural(obj)));
        Calc cc = s.sub(bb.v(), d);
        s.line(f("{} has {} {}.", c, cc, plural(obj)));
        Calc ab = s.add(x, bb.v());
        Calc all = s.add(ab.v(), cc.v());
        s.line(f("Together they have {} and {} {}.", ab, all, plural(obj)));
        String times = k == 2 ? "twice" : k == 3 ? "three times" : "four times";
        switch (g.t) {
            case 0:
                return f(
                        "{} has {} {}. {} has {} as many {} as {}. {} has {} fewer {} than {}. How many {} do they "
                                + "have in all?",
                        a,
                        x,
                        plural(obj),
                        b,
                        times,
                        plural(obj),
                        a,
                        c,
                        d,
                        plural(obj),
                        b,
                        plural(obj));
            case 1:
                return f(
                        "{} collected {} {}, {} collected {} as many as {}, and {} collected {} less than {}. "
                                + "How many {} did the three collect altogether?",
                        a,
                        x,
                        plural(obj),
                        b,
                        times,
                        a,
                        c,
                        d,
                        b,
                        plural(obj));
            default:
                return f(
                        "If {} owns {} {}, {} owns {} times that many, and {} owns {} fewer than {}, what is "
                                + "the total number of {} they own?",
                        a,
                        x,
                        plural(obj),
                        b,
                        k,
                        c,
                        d,
                        b,
                        plural(obj));
        }
    }

    static String simpleMoreFewer(Gen g) {
        Solution s = g.s;
        Person p = g.person(), q = g.person();
        String obj = g.word(COUNTABLES, null);
        int x = g.n(5, 90), y = g.n(2, 60);
        boolean more = g.coin();
        if (!more && y >= x) throw Solution.Reject.INSTANCE;
        Calc r = more ? s.add(x, y) : s.sub(x, y);
        s.line(f("{} has {} {}.", q, r, plural(obj)));
        String rel = more ? "more" : "fewer";
        switch (g.t) {
            case 0:
                return f(
                        "{} has {} {}. {} has {} {} {} than {}. How many {} does {} have?",
                        p,
                        x,
                        plural(obj),
                        q,
                        y,
                        rel,
                        plural(obj),
                        p,
                        plural(obj),
                        q);
            case 1:
                return f(
                        "{} found {} {}. {} found {} {} than {}. How many {} did {} find?",
                        p,
                        x,
                        plural(obj),
                        q,
                        y,
                        rel,
                        p,
                        plural(obj),
                        q);
            case 2:
                return f(
                        "{} has {} {} {} than {}. {} has {} {}. How many {} does {} have?",
                        q,
                        y,
                        rel,
                        plural(obj),
                        p,
                        p,
                        x,
                        plural(obj),
                        plural(obj),
                        q);
            default:
                return f(
                        "If {} has {} {} and {} has {} {} than {}, how many does {} have?",
                        p,
                        x,
                        plural(obj),
                        q,
                        y,
                        rel,
                        p,
                        q);
        }
    }

    // ---------------------------------------------------------------- time, growth, averages

    static String hoursToMinutes(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int h = g.n(1, 5), m = g.n(5, 55);
        String what = g.pick("movie", "train ride", "soccer game", "concert", "hike", "flight");
        Calc hm = s.mul(h, 60);
        s.line(f("{} hours is {} minutes.", h, hm));
        Calc tot = s.add(hm.v(), m);
        s.line(f("The {} lasts {} minutes.", what, tot));
        String hrs = h == 1 ? "1 hour" : h + " hours";
        switch (g.t) {
            case 0:
                return f("A {} lasts {} and {} minutes. How many minutes long is the {}?", what, hrs, m, what);
            case 1:
                return f("{}'s {} took {} and {} minutes. How many minutes is that in total?", p, what, hrs, m);
            default:
                return f("How many minutes are there in a {} that is {} and {} minutes long?", what, hrs, m);
        }
    }

    static String dailyIncrease(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int x = g.n(2, 30), y = g.n(1, 10);
        String act = g.pick("reads", "runs", "writes", "sells");
        String unit = act.equals("reads")
                ? "pages"
                : act.equals("runs") ? "laps" : act.equals("writes") ? "poems" : "lemonades";
        Calc tue = s.add(x, y);
        s.line(f("On Tuesday {} {} {} {}.", p, act, tue, unit));
        Calc wed = s.add(tue.v(), y);
        s.line(f("On Wednesday {} {} {} {}.", p.he(), act, wed, unit));
        Calc mt = s.add(x, tue.v());
        Calc all = s.add(mt.v(), wed.v());
        s.line(f("In the three days {} {} {} and {} {}.", p.he(), act, mt, all, unit));
        switch (g.t) {
            case 0:
                return f(
                        "On Monday {} {} {} {}. Each day {} {} {} more {} than the day before. How many {} does "
                                + "{} {} from Monday to Wednesday?",
                        p,
                        act,
                        x,
                        unit,
                        p.he(),
                        act,
                        y,
                        unit,
                        unit,
                        p.he(),
                        act.substring(0, act.length() - 1));
            case 1:
                return f(
                        "{} {} {} {} on Monday, and every day after that {} {} {} more than the day before. How "
                                + "many {} in total does {} {} on Monday, Tuesday and Wednesday?",
                        p,
                        act,
                        x,
                        unit,
                        p.he(),
                        act,
                        y,
                        unit,
                        p.he(),
                        act.substring(0, act.length() - 1));
            default:
                return f(
                        "Find the total number of {} {} {} over three days if {} starts with {} on Monday and "
                                + "adds {} each day.",
                        unit,
                        p,
                        act,
                        p.he(),
                        x,
                        y);
        }
    }

    static String repeatedGrowth(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int x = g.n(2, 12), k = g.pick(2, 2, 3), w = g.n(2, 4);
        String thing = g.pick("plant", "vine", "sunflower", "bamboo shoot");
        String rate = k == 2 ? "doubles" : "triples";
        long h = x;
        for (int i = 1; i <= w; i++) {
            Calc c = s.mul(h, k);
            h = c.v();
            s.line(f("After week {}, it is {} centimeters tall.", i, c));
        }
        switch (g.t) {
            case 0:
                return f(
                        "{}'s {} is {} centimeters tall. Its height {} every week. How tall is it after {} " + "weeks?",
                        p,
                        thing,
                        x,
                        rate,
                        w);
            case 1:
                return f(
                        "A {} starts at {} centimeters and {} in height each week. What is its height after {} "
                                + "weeks, in centimeters?",
                        thing,
                        x,
                        rate,
                        w);
            default:
                return f(
                        "If a {} {} its height every week and is {} centimeters tall now, how tall will it be "
                                + "in {} weeks?",
                        thing,
                        rate,
                        x,
                        w);
        }
    }

    static String average(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int n = g.n(2, 4);
        int avg = g.n(50, 95);
        int[] v = new int[n];
        int rest = avg * n;
        for (int i = 0; i < n - 1; i++) {
            v[i] = Math.max(40, Math.min(100, avg + g.n(-10, 10)));
            rest -= v[i];
        }
        if (rest < 40 || rest > 100) throw Solution.Reject.INSTANCE;
        v[n - 1] = rest;
        Calc sum = s.add(v[0], v[1]);
        s.line(f(n == 2 ? "The scores add up to {}." : "The first two scores add up to {}.", sum));
        String[] ord = {"", "", "third", "fourth"};
        for (int i = 2; i < n; i++) {
            sum = s.add(sum.v(), v[i]);
            s.line(f("Adding the {} score gives {}.", ord[i], sum));
        }
        Calc a = s.div(sum.v(), n);
        s.line(f("The average is {}.", a));
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < n; i++) {
            list.append(v[i]).append(i == n - 1 ? "" : i == n - 2 ? " and " : ", ");
        }
        String what = g.pick("tests", "quizzes", "games", "rounds");
        switch (g.t) {
            case 0:
                return f("{} scored {} on {} {}. What is {} average score?", p, list, n, what, p.his());
            case 1:
                return f("On {} {}, {} got scores of {}. What is the average of these scores?", n, what, p, list);
            default:
                return f("Find {}'s mean score if {} scored {} in {} {}.", p, p.he(), list, n, what);
        }
    }

    // ---------------------------------------------------------------- various rates

    static String fuelCost(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int mpg = g.m(10, 40, 5), gal = g.n(2, 12), price = g.n(2, 6);
        Calc gallons = s.div(mpg * gal, mpg);
        s.line(f("The trip uses {} gallons of gas.", gallons));
        Calc cost = s.mul(gallons.v(), price);
        s.line(f("The gas costs {} dollars.", cost));
        switch (g.t) {
            case 0:
                return f(
                        "{}'s car goes {} miles on one gallon of gas. Gas costs ${} a gallon. How much does gas "
                                + "cost for {} {} mile trip?",
                        p,
                        mpg,
                        price,
                        an(mpg * gal),
                        mpg * gal);
            case 1:
                return f(
                        "{} is driving {} miles. {} car uses one gallon for every {} miles, and a gallon costs "
                                + "${}. How many dollars will {} spend on gas?",
                        p,
                        mpg * gal,
                        cap(p.his()),
                        mpg,
                        price,
                        p.he());
            default:
                return f(
                        "What does gas cost for {} {} mile drive in a car that gets {} miles per gallon when "
                                + "gas is ${} per gallon?",
                        an(mpg * gal),
                        mpg * gal,
                        mpg,
                        price);
        }
    }

    static String tickets(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int ad = g.n(6, 25), ch = g.n(2, 12), x = g.n(1, 6), y = g.n(1, 8);
        if (ch >= ad) throw Solution.Reject.INSTANCE;
        String place = g.pick("zoo", "museum", "movie theater", "aquarium", "fair", "water park");
        Calc a = s.mul(x, ad);
        s.line(f("The adult tickets cost {} dollars.", a));
        Calc c = s.mul(y, ch);
        s.line(f("The child tickets cost {} dollars.", c));
        Calc tot = s.add(a.v(), c.v());
        s.line(f("All the tickets cost {} dollars.", tot));
        String adults = x == 1 ? "1 adult" : x + " adults";
        String kids = y == 1 ? "1 child" : y + " children";
        switch (g.t) {
            case 0:
                return f(
                        "Tickets to the {} cost ${} for adults and ${} for children. How much do tickets cost for "
                                + "{} and {}?",
                        place,
                        ad,
                        ch,
                        adults,
                        kids);
            case 1:
                return f(
                        "{} takes {} and {} to the {}. An adult ticket is ${} and a child ticket is ${}. How much "
                                + "does {} pay for all the tickets?",
                        p,
                        adults,
                        kids,
                        place,
                        ad,
                        ch,
                        p.he());
            case 2:
                return f(
                        "At the {}, adults pay ${} and children pay ${}. A group has {} and {}. What is the total "
                                + "ticket cost?",
                        place,
                        ad,
                        ch,
                        adults,
                        kids);
            default:
                return f(
                        "How much do {} and {} pay to enter the {} if it is ${} per adult and ${} per child?",
                        adults,
                        kids,
                        place,
                        ad,
                        ch);
        }
    }

    static String bookPages(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int x = g.n(5, 30), d = g.n(2, 7), more = g.n(1, 8);
        boolean days = g.coin();
        int pages = x * (d + more);
        Calc read = s.mul(x, d);
        s.line(f("{} reads {} pages.", p, read));
        Calc left = s.sub(pages, read.v());
        s.line(f("There are {} pages left.", left));
        String ask = "How many pages are left?";
        if (days) {
            Calc dd = s.div(left.v(), x);
            s.line(f("It will take {} more days.", dd));
            ask = f("How many more days will {} need to finish the book?", p.he());
        }
        switch (g.t) {
            case 0:
                return f("A book has {} pages. {} reads {} pages a day for {} days. {}", pages, p, x, d, ask);
            case 1:
                return f(
                        "{} is reading {} {} page book. {} has read {} pages every day for {} days. {}",
                        p,
                        an(pages),
                        pages,
                        p.He(),
                        x,
                        d,
                        ask);
            case 2:
                return f(
                        "{} reads {} pages each day. After {} days of reading a book with {} pages, {} stops "
                                + "to rest. {}",
                        p,
                        x,
                        d,
                        pages,
                        p.he(),
                        ask);
            default:
                return f(
                        "There are {} pages in {}'s book, and {} has been reading {} pages a day for {} days. " + "{}",
                        pages,
                        p,
                        p.he(),
                        x,
                        d,
                        ask);
        }
    }

    static String tankFill(Gen g) {
        Solution s = g.s;
        int r = g.n(2, 20), t = g.n(2, 15), have = g.n(0, 50);
        int cap = have + r * t;
        String what = g.pick("tank", "pool", "barrel", "tub", "fish tank");
        Calc need = s.sub(cap, have);
        s.line(f("The {} needs {} more liters.", what, need));
        Calc mins = s.div(need.v(), r);
        s.line(f("It takes {} minutes.", mins));
        switch (g.t) {
            case 0:
                return f(
                        "A {} holds {} liters. It already has {} liters in it. A hose adds {} liters per minute. "
                                + "How many minutes will it take to fill the {}?",
                        what,
                        cap,
                        have,
                        r,
                        what);
            case 1:
                return f(
                        "There are {} liters of water in a {} that holds {} liters. Water flows in at {} liters "
                                + "a minute. How long, in minutes, until it is full?",
                        have,
                        what,
                        cap,
                        r);
            default:
                return f(
                        "How many minutes does a pump moving {} liters a minute need to fill {} {} liter {} "
                                + "that has {} liters in it?",
                        r,
                        an(cap),
                        cap,
                        what,
                        have);
        }
    }

    static String coinsValue(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int q = g.n(1, 20), d = g.n(1, 30);
        String c1 = q == 1 ? "1 quarter" : q + " quarters";
        String c2 = d == 1 ? "1 dime" : d + " dimes";
        Calc qc = s.mul(q, 25);
        s.line(f("The quarters are worth {} cents.", qc));
        Calc dc = s.mul(d, 10);
        s.line(f("The dimes are worth {} cents.", dc));
        Calc tot = s.add(qc.v(), dc.v());
        s.line(f("{} has {} cents.", p, tot));
        switch (g.t) {
            case 0:
                return f("{} has {} and {}. How many cents does {} have?", p, c1, c2, p.he());
            case 1:
                return f(
                        "In {} pocket, {} finds {} and {}. A quarter is 25 cents and a dime is 10 cents. How many "
                                + "cents is that?",
                        p.his(),
                        p,
                        c1,
                        c2);
            default:
                return f("What is the value in cents of {}'s {} and {}?", p, c1, c2);
        }
    }

    static String ropePieces(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int piece = g.pick(2, 3, 4, 6, 8, 12);
        int feet = g.n(2, 20);
        if (feet * 12 % piece != 0) throw Solution.Reject.INSTANCE;
        String what = g.pick("rope", "ribbon", "string", "wire", "board");
        Calc in = s.mul(feet, 12);
        s.line(f("The {} is {} inches long.", what, in));
        Calc n = s.div(in.v(), piece);
        s.line(f("{} gets {} pieces.", p, n));
        switch (g.t) {
            case 0:
                return f(
                        "{} has a {} that is {} feet long. {} cuts it into pieces that are {} inches long. How "
                                + "many pieces does {} get?",
                        p,
                        what,
                        feet,
                        p.He(),
                        piece,
                        p.he());
            case 1:
                return f(
                        "A {} is {} feet long. There are 12 inches in a foot. How many {} inch pieces can {} cut "
                                + "from it?",
                        what,
                        feet,
                        piece,
                        p);
            default:
                return f(
                        "How many pieces, each {} inches long, can {} cut from {} {} foot {}?",
                        piece,
                        p,
                        an(feet),
                        feet,
                        what);
        }
    }

    static String startAmount(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int x = g.n(2, 40), y = g.n(2, 40), z = g.n(1, 60);
        String a = g.pick("lunch", "a book", "a toy", "a movie ticket", "groceries", "a shirt");
        String b = g.pick("a snack", "bus fare", "a card", "some pens", "a drink", "a magazine");
        Calc c1 = s.add(z, x);
        Calc c2 = s.add(c1.v(), y);
        s.line(f("Before buying {}, {} had {} dollars.", b, p, c1));
        s.line(f("At first {} had {} dollars.", p.he(), c2));
        switch (g.t) {
            case 0:
                return f(
                        "{} spent ${} on {} and ${} on {}. Now {} has ${} left. How much money did {} have at "
                                + "first?",
                        p,
                        x,
                        a,
                        y,
                        b,
                        p.he(),
                        z,
                        p.he());
            case 1:
                return f(
                        "After buying {} for ${} and then {} for ${}, {} has ${}. How many dollars did {} start "
                                + "with?",
                        a,
                        x,
                        b,
                        y,
                        p,
                        z,
                        p.he());
            default:
                return f(
                        "{} has ${} after paying ${} for {} and ${} for {}. What amount did {} begin with?",
                        p,
                        z,
                        x,
                        a,
                        y,
                        b,
                        p.he());
        }
    }

    static String ratioShare(Gen g) {
        Solution s = g.s;
        Person a = g.person(), b = g.person();
        String obj = g.word(COUNTABLES, null);
        int x = g.n(1, 5), y = g.n(1, 5);
        if (x == y) y++;
        int unit = g.n(2, 15);
        int total = (x + y) * unit;
        Calc parts = s.add(x, y);
        s.line(f("There are {} parts.", parts));
        Calc each = s.div(total, parts.v());
        s.line(f("Each part is {} {}.", each, plural(obj)));
        Calc bb = s.mul(each.v(), y);
        s.line(f("{} gets {} {}.", b, bb, plural(obj)));
        switch (g.t) {
            case 0:
                return f(
                        "{} and {} share {} {} in the ratio {}:{}. How many {} does {} get?",
                        a,
                        b,
                        total,
                        plural(obj),
                        x,
                        y,
                        plural(obj),
                        b);
            case 1:
                return f(
                        "{} {} are divided between {} and {} so that for every {} {} gets, {} gets {}. How many "
                                + "does {} get?",
                        total,
                        plural(obj),
                        a,
                        b,
                        x,
                        a,
                        b,
                        y,
                        b);
            default:
                return f(
                        "If {} {} are split between {} and {} in a {} to {} ratio, how many {} does {} receive?",
                        total,
                        plural(obj),
                        a,
                        b,
                        x,
                        y,
                        plural(obj),
                        b);
        }
    }

    // ---------------------------------------------------------------- longer combinations

    static String couponChange(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String i1 = g.word(CHEAP_ITEMS, null);
        String i2 = g.word(CHEAP_ITEMS, i1);
        int a = g.n(2, 8), x = g.n(2, 12), b = g.n(2, 8), y = g.n(2, 12), coupon = g.n(2, 15);
        int bill = g.pick(50, 100, 100, 200);
        Calc c1 = s.mul(a, x);
        s.line(f("The {} cost {} dollars.", plural(i1), c1));
        Calc c2 = s.mul(b, y);
        s.line(f("The {} cost {} dollars.", plural(i2), c2));
        Calc t = s.add(c1.v(), c2.v());
        s.line(f("Before the coupon, the total is {} dollars.", t));
        Calc after = s.sub(t.v(), coupon);
        s.line(f("With the coupon, {} pays {} dollars.", p, after));
        Calc ch = s.sub(bill, after.v());
        s.line(f("{} gets {} dollars in change.", p.He(), ch));
        switch (g.t) {
            case 0:
                return f(
                        "{} buys {} {} at ${} each and {} {} at ${} each. {} has a coupon for ${} off the total "
                                + "and pays with a ${} bill. How much change does {} get?",
                        p,
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y,
                        p.He(),
                        coupon,
                        bill,
                        p.he());
            case 1:
                return f(
                        "{} pays for {} {} costing ${} each and {} {} costing ${} each with a ${} bill, after "
                                + "using a ${} coupon. How many dollars does {} get back?",
                        p,
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y,
                        bill,
                        coupon,
                        p.he());
            default:
                return f(
                        "With a ${} coupon and a ${} bill, {} buys {} {} for ${} each and {} {} for ${} each. "
                                + "What change should {} receive?",
                        coupon,
                        bill,
                        p,
                        a,
                        plural(i1),
                        x,
                        b,
                        plural(i2),
                        y,
                        p.he());
        }
    }

    static String partyCostSplit(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int k = g.n(2, 6);
        int pizzas = g.n(2, 6), pp = g.n(6, 15), drinks = g.n(2, 12), dp = g.n(1, 4), cake = g.n(10, 40);
        Calc c1 = s.mul(pizzas, pp);
        s.line(f("The pizzas cost {} dollars.", c1));
        Calc c2 = s.mul(drinks, dp);
        s.line(f("The drinks cost {} dollars.", c2));
        Calc t1 = s.add(c1.v(), c2.v());
        Calc t2 = s.add(t1.v(), cake);
        s.line(f("Everything costs {} and {} dollars.", t1, t2));
        Calc each = s.div(t2.v(), k);
        s.line(f("Each friend pays {} dollars.", each));
        switch (g.t) {
            case 0:
                return f(
                        "{} and {} plan a party. They buy {} pizzas at ${} each, {} drinks at ${} each, "
                                + "and a cake for ${}. If the {} of them split the cost equally, how much does each pay?",
                        p,
                        k == 2 ? "a friend" : (k - 1) + " friends",
                        pizzas,
                        pp,
                        drinks,
                        dp,
                        cake,
                        k);
            case 1:
                return f(
                        "For a party, {} friends share the cost of {} pizzas that cost ${} each, {} drinks that "
                                + "cost ${} each, and one cake that costs ${}. How many dollars does each friend pay?",
                        k,
                        pizzas,
                        pp,
                        drinks,
                        dp,
                        cake);
            default:
                return f(
                        "{} pizzas at ${} each, {} drinks at ${} each and a ${} cake are paid for equally by "
                                + "{} friends. What is each friend's share?",
                        pizzas,
                        pp,
                        drinks,
                        dp,
                        cake,
                        k);
        }
    }

    static String harvestSales(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        String fr = g.pick("tomato", "pepper", "cucumber", "pumpkin", "squash");
        int rows = g.n(2, 10), per = g.n(2, 12), each = g.n(2, 8);
        int bag = g.pick(2, 4, 5, 10);
        int price = g.n(1, 6);
        long tot0 = (long) rows * per * each;
        if (tot0 % bag != 0) throw Solution.Reject.INSTANCE;
        Calc plants = s.mul(rows, per);
        s.line(f("There are {} plants.", plants));
        Calc fruit = s.mul(plants.v(), each);
        s.line(f("The plants give {} {}.", fruit, plural(fr)));
        Calc bags = s.div(fruit.v(), bag);
        s.line(f("That fills {} bags.", bags));
        Calc money = s.mul(bags.v(), price);
        s.line(f("{} makes {} dollars.", p, money));
        switch (g.t) {
            case 0:
                return f(
                        "{} has {} rows of {} plants with {} plants in each row. Each plant grows {} {}. {} "
                                + "sells them in bags of {} for ${} a bag. How much money does {} make?",
                        p,
                        rows,
                        fr,
                        per,
                        each,
                        plural(fr),
                        p.He(),
                        bag,
                        price,
                        p.he());
            case 1:
                return f(
                        "In {} garden there are {} rows with {} {} plants per row, and every plant gives {} {}. "
                                + "If {} packs them {} to a bag and sells each bag for ${}, how many dollars does {} earn?",
                        p + "'s",
                        rows,
                        per,
                        fr,
                        each,
                        plural(fr),
                        p,
                        bag,
                        price,
                        p.he());
            default:
                return f(
                        "{} {} plants stand in each of {} rows. Every plant yields {} {}, and {} sells bags of "
                                + "{} {} at ${} per bag. What does {} earn?",
                        per,
                        fr,
                        rows,
                        each,
                        plural(fr),
                        p,
                        bag,
                        plural(fr),
                        price,
                        p);
        }
    }

    static String wagesBonusSpending(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int r = g.n(8, 20), h = g.n(2, 8), d = g.n(2, 5), bonus = g.n(5, 50), spend = g.n(10, 80);
        String job = g.word(CHORES, null);
        Calc day = s.mul(r, h);
        s.line(f("{} earns {} dollars a day.", p, day));
        Calc wk = s.mul(day.v(), d);
        s.line(f("In {} days {} earns {} dollars.", d, p.he(), wk));
        Calc tot = s.add(wk.v(), bonus);
        s.line(f("With the bonus, {} has {} dollars.", p.he(), tot));
        Calc left = s.sub(tot.v(), spend);
        s.line(f("After shopping, {} has {} dollars left.", p.he(), left));
        switch (g.t) {
            case 0:
                return f(
                        "{} earns ${} an hour {}. {} works {} hours a day for {} days and gets a ${} bonus. Then "
                                + "{} spends ${} on clothes. How much money does {} have left?",
                        p,
                        r,
                        job,
                        p.He(),
                        h,
                        d,
                        bonus,
                        p.he(),
                        spend,
                        p.he());
            case 1:
                return f(
                        "{} makes ${} per hour {}. This week {} worked {} days for {} hours each day, and {} boss "
                                + "added a ${} bonus. If {} spent ${} of it, how many dollars are left?",
                        p,
                        r,
                        job,
                        p.he(),
                        d,
                        h,
                        p.his(),
                        bonus,
                        p.he(),
                        spend);
            default:
                return f(
                        "After working {} hours a day for {} days at ${} an hour, getting a ${} bonus and "
                                + "spending ${}, how much money does {} have?",
                        h,
                        d,
                        r,
                        bonus,
                        spend,
                        p);
        }
    }

    static String classSuppliesBudget(Gen g) {
        Solution s = g.s;
        Person p = g.person();
        int kids = g.n(5, 30), a = g.n(1, 4), x = g.n(1, 5), b = g.n(1, 4), y = g.n(1, 5);
        int budget = g.pick(200, 300, 500, 1000);
        String grp = g.word(GROUPS, null);
        String n1 = a == 1 ? "1 notebook" : a + " notebooks";
        String n2 = b == 1 ? "1 pen" : b + " pens";
        Calc c1 = s.mul(a, x);
        s.line(f("The notebooks for one child cost {} dollars.", c1));
        Calc c2 = s.mul(b, y);
        s.line(f("The pens for one child cost {} dollars.", c2));
        Calc per = s.add(c1.v(), c2.v());
        s.line(f("Each child's supplies cost {} dollars.", per));
        Calc all = s.mul(per.v(), kids);
        s.line(f("For all the children that is {} dollars.", all));
        Calc left = s.sub(budget, all.v());
        s.line(f("{} has {} dollars left.", p, left));
        switch (g.t) {
            case 0:
                return f(
                        "{} has ${} to buy supplies for the {} children in {} {}. Each child gets {} at ${} each "
                                + "and {} at ${} each. How much money will {} have left?",
                        p,
                        budget,
                        kids,
                        p.his(),
                        grp,
                        n1,
                        x,
                        n2,
                        y,
                        p.he());
            case 1:
                return f(
                        "There are {} children in {}'s {}. {} buys {} and {} for every child. Notebooks cost ${} "
                                + "and pens cost ${}. If {} started with ${}, how many dollars remain?",
                        kids,
                        p,
                        grp,
                        p.He(),
                        n1,
                        n2,
                        x,
                        y,
                        p.he(),
                        budget);
            default:
                return f(
                        "With a budget of ${}, {} gives each of {} children {} costing ${} each and {} costing "
                                + "${} each. How much of the budget is left?",
                        budget,
                        p,
                        kids,
                        n1,
                        x,
                        n2,
                        y);
        }
    }
}
