Feature: A group that does not work out expires
  When a group expires, every member gets their money back through the platform they paid
  with, exactly once, however often the expiry is reported. A refund the platform refuses is
  not lost: the order waits for its refund, and the shop says so.

  Background:
    Given the shop sells "제주 감귤 5kg" at 12,000 won
    And Minji paid for "제주 감귤 5kg" with KakaoPay
    And Jisoo paid for "제주 감귤 5kg" with KakaoPay
    And the matcher formed group 3 of Minji and Jisoo

  Scenario: Expiring a group refunds every member
    When group 3 expires
    Then the shop reports group 3 expired and the orders of Minji and Jisoo refunded
    And the orders of Minji and Jisoo are refunded
    And KakaoPay refunded 12,000 won to Minji once
    And KakaoPay refunded 12,000 won to Jisoo once

  Scenario: Expiring a group twice refunds each member once
    Given group 3 has expired
    When group 3 expires again
    Then the shop reports group 3 expired and the orders of Minji and Jisoo refunded
    And the orders of Minji and Jisoo are refunded
    And KakaoPay refunded 12,000 won to Minji once
    And KakaoPay refunded 12,000 won to Jisoo once

  Scenario: A refund the platform refuses stays pending, and the shop says so
    Given KakaoPay will refuse the next refund
    When group 3 expires
    Then the shop reports group 3 expired with 1 refund still pending with the platform
    And the order whose refund is pending is waiting for its refund
    And the other member's order is refunded

  Scenario: A pending refund is retried when the group is expired again
    Given KakaoPay will refuse the next refund
    And group 3 has expired with a refund still pending
    When group 3 expires again
    Then the shop reports group 3 expired and the orders of Minji and Jisoo refunded
    And the orders of Minji and Jisoo are refunded
    And KakaoPay refunded 12,000 won to Minji once
    And KakaoPay refunded 12,000 won to Jisoo once
