Feature: A buyer withdraws a paid order before it is grouped
  A buyer who paid may change their mind while no group has taken the order yet. The money goes
  back through the platform they paid with, exactly once, however often they ask. Once the
  order is in a group it is refunded only if the group expires; an order not paid yet has
  nothing to give back.

  Background:
    Given the shop sells "제주 감귤 5kg" at 12,000 won

  Scenario Outline: Withdrawing a paid order refunds it through its platform
    Given Minji paid for "제주 감귤 5kg" with <platform>
    When Minji withdraws the order
    Then the shop reports Minji's order refunded
    And Minji's order is refunded
    And <platform> refunded 12,000 won to Minji once

    Examples:
      | platform      |
      | KakaoPay      |
      | NaverPay      |
      | Open Banking  |
      | Toss Payments |

  Scenario: Withdrawing twice refunds once
    Given Minji paid for "제주 감귤 5kg" with KakaoPay
    And Minji withdrew the order
    When Minji withdraws the order
    Then the shop reports Minji's order refunded
    And KakaoPay refunded 12,000 won to Minji once

  Scenario: A grouped order cannot be withdrawn
    Given Minji paid for "제주 감귤 5kg" with KakaoPay
    And Jisoo paid for "제주 감귤 5kg" with KakaoPay
    And the matcher formed group 3 of Minji and Jisoo
    When Minji withdraws the order
    Then the withdrawal is refused because the order is in group 3
    And Minji's order is still matched
    And KakaoPay refunded nothing to Minji

  Scenario: An order not paid yet cannot be withdrawn
    Given Minji ordered 1 "제주 감귤 5kg" to pay with KakaoPay
    When Minji withdraws the order
    Then the withdrawal is refused because the order is not paid yet
    And Minji's order is still waiting for payment

  Scenario: A refund the platform refuses waits for its retry, and the shop says so
    Given Minji paid for "제주 감귤 5kg" with KakaoPay
    And KakaoPay will refuse the next refund of a withdrawal
    When Minji withdraws the order
    Then the shop reports that Minji's refund is still pending with the platform
    And Minji's order is waiting for its refund
    When Minji withdraws the order
    Then the shop reports Minji's order refunded
    And KakaoPay refunded 12,000 won to Minji once
